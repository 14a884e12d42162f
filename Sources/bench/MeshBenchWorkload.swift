import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Mesh
import Proxy
import Spec
import Synchronization

/// The mesh benchmark's cluster contents: simulated nodes running a connect job, its config entries, a workload
/// token per allocation, and the simulated proxies.
final class MeshBenchWorkload: Sendable {
    struct Placed: Sendable {
        var allocID: String
        var nodeID: String
        var token: String
    }

    let servers: [HostPort]
    let proxies: Int
    let timeout: Duration
    let cli: RPCDialer
    let client: RPCDialer
    let mesh: RPCDialer
    let clientTLS: TLSMaterial
    let certificatesDirectory: String
    private let placed = Mutex<[Placed]>([])

    /// Allocations per simulated node.
    static let perNode = 50

    init(servers: [HostPort], certificates: BenchCertificates, proxies: Int, timeout: Duration) throws {
        self.servers = servers
        self.proxies = proxies
        self.timeout = timeout
        cli = RPCDialer(tls: try certificates.material("cli"), callTimeout: .seconds(60))
        clientTLS = try certificates.material("client")
        client = RPCDialer(tls: clientTLS, callTimeout: .seconds(60))
        mesh = RPCDialer(tls: try certificates.material("mesh"), callTimeout: .seconds(60))
        certificatesDirectory = certificates.directory
    }

    var nodeCount: Int { (proxies + 3 + Self.perNode - 1) / Self.perNode }

    func startMeshd(binDirectory: String, daemons: LocalDaemons) async throws -> HostPort {
        let meshd = (binDirectory as NSString).appendingPathComponent("meshd")
        guard FileManager.default.isExecutableFile(atPath: meshd) else {
            throw BenchError(
                "no meshd in \(binDirectory): build it with `swift build --product meshd`, or pass -bin DIR")
        }
        let port = try FreePorts.pick(1)[0]
        let tls = certificatesDirectory
        _ = try daemons.start(
            name: "meshd", executable: meshd,
            arguments: [
                "-bind", "127.0.0.1", "-node", "mesh-0", "-port", "\(port)", "-dc", "dc1",
                "-servers", servers.map(\.description).joined(separator: ","), "-default-intention-policy", "deny",
                "-ca-file", "\(tls)/ca.pem", "-cert-file", "\(tls)/mesh.pem", "-key-file", "\(tls)/mesh-key.pem",
            ])
        return HostPort(host: "127.0.0.1", port: port)
    }

    /// Nodes, the job, its allocations reported running, the config entries and one token per proxy.
    func prepare(mesh address: HostPort) async throws {
        let nodes = (0..<nodeCount).map(Self.node)
        for node in nodes {
            try await client.withClient(servers[0]) { client in
                _ = try await Caravan_V1_Nodes.Client(wrapping: client).register(.with { $0.node = node })
            }
        }
        let job = try JobSpec.decode(SpecSource(filename: "bench-mesh.hcl", text: Self.jobHCL(proxies)))
        try await cli.withClient(servers[0]) { client in
            _ = try await Caravan_V1_Jobs.Client(wrapping: client).register(.with { $0.job = job })
        }
        let allocs = try await waitForPlacements(total: proxies + 3)
        RaftBenchPlan.note("placed \(allocs.count) allocations on \(nodes.count) simulated nodes")
        for node in nodes {
            let mine = allocs.filter { $0.nodeID == node.id }
            guard !mine.isEmpty else { continue }
            try await client.withClient(servers[0]) { client in
                _ = try await Caravan_V1_Nodes.Client(wrapping: client).updateAllocations(
                    .with {
                        $0.nodeID = node.id
                        $0.secretID = node.secretID
                        $0.updates = mine.map { alloc in
                            .with {
                                $0.allocID = alloc.id
                                $0.clientStatus = .running
                            }
                        }
                    })
            }
        }
        try await writeConfigEntries(mesh: address)
        let web = allocs.filter { $0.taskGroup == "web" }
        let secrets = Dictionary(uniqueKeysWithValues: nodes.map { ($0.id, $0.secretID) })
        let servers = self.servers
        let client = self.client
        try await concurrentForEach(0..<web.count, concurrency: 32) { number in
            let alloc = web[number]
            let token = try await client.withClient(servers[number % servers.count]) { client in
                try await Caravan_V1_Nodes.Client(wrapping: client).issueWorkloadToken(
                    .with {
                        $0.nodeID = alloc.nodeID
                        $0.secretID = secrets[alloc.nodeID] ?? ""
                        $0.allocID = alloc.id
                        $0.service = "web"
                    }
                ).token
            }
            self.placed.withLock { $0.append(Placed(allocID: alloc.id, nodeID: alloc.nodeID, token: token)) }
        }
    }

    func waitForPlacements(total: Int) async throws -> [Caravan_V1_AllocationListStub] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let allocs = try await cli.withClient(servers[0]) { client in
                try await Caravan_V1_Jobs.Client(wrapping: client).allocations(.with { $0.jobID = "bench-mesh" })
            }.allocations.filter { $0.desiredStatus == .run }
            if allocs.count >= total { return allocs }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw BenchError("the job's \(total) allocations were not placed within the timeout")
    }

    func writeConfigEntries(mesh address: HostPort) async throws {
        for text in Self.configEntries {
            let entry = try ConfigEntrySpec.decode(SpecSource(filename: "bench-entry.hcl", text: text))
            try await withMeshReady(address) { client in
                _ = try await Caravan_V1_ConfigEntries.Client(wrapping: client).apply(.with { $0.entry = entry })
            }
        }
    }

    /// Calls meshd, retrying while it has not received the mesh state yet (just started).
    func withMeshReady(
        _ address: HostPort, _ body: @Sendable (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> Void
    )
        async throws
    {
        let deadline = ContinuousClock.now + timeout
        while true {
            do {
                try await cli.withClient(address, expecting: AgentIdentity(role: .mesh, region: "global"), body)
                return
            } catch {
                guard RPCErrorText.code(of: error) == .unavailable, ContinuousClock.now < deadline else { throw error }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// One ProxyConfig stream per web allocation, each reporting to `tracker` and ACKing every snapshot.
    func connectProxies(mesh address: HostPort, tracker: MeshAckTracker, connections: Int) async throws
        -> [Task<Void, Never>]
    {
        let placed = self.placed.withLock { $0 }
        let key = WorkloadKey.makePrivateKey()
        let dialer = RPCDialer(tls: clientTLS, callTimeout: ProxyConfigClient.streamTimeout)
        let pools = (0..<connections).map { _ in
            RPCConnectionPool(dialer: dialer, expecting: AgentIdentity(role: .mesh, region: "global"))
        }
        var streams: [Task<Void, Never>] = []
        for (index, proxy) in placed.enumerated() {
            let client = ProxyConfigClient(
                identity: .init(
                    proxyID: "\(proxy.allocID)-sidecar-proxy-web", service: "web", allocID: proxy.allocID,
                    nodeID: proxy.nodeID, workloadToken: proxy.token, key: key),
                meshes: [address], tls: clientTLS, region: "global",
                sharing: pools.isEmpty ? nil : pools[index % pools.count])
            streams.append(
                Task {
                    do {
                        try await client.run { snapshot in
                            tracker.applied(index, version: snapshot.version)
                            return nil
                        }
                    } catch {
                        RaftBenchPlan.note("proxy \(index) stopped: \(error)")
                    }
                })
        }
        return streams
    }

    /// Writes the intention "bench => web" through meshd, allowing on even rounds and denying on odd ones
    /// (`-replace`), so every round changes every web proxy's snapshot by the same amount; the write's index.
    func writeIntention(round: Int, mesh address: HostPort) async throws -> UInt64 {
        try await cli.withClient(address, expecting: AgentIdentity(role: .mesh, region: "global")) { client in
            try await Caravan_V1_Intentions.Client(wrapping: client).create(
                .with {
                    $0.intention.sourceName = "bench"
                    $0.intention.destinationName = "web"
                    $0.intention.action = round % 2 == 0 ? .allow : .deny
                    $0.replace = true
                }
            ).meta.index
        }
    }

    /// How long meshd's builder takes per proxy on the cluster's own mesh state (read from the servers): every
    /// web proxy's snapshot built from one shared set of inputs, as a rebuild does.
    func snapshotBuildTimes() async throws -> (times: [Duration], bytes: Int) {
        let frame = try await mesh.withClient(servers[0]) { client in
            try await Caravan_V1_MeshState.Client(wrapping: client).watch(.init()) { response in
                for try await frame in response.messages { return frame }
                throw BenchError("the mesh state watch ended without a frame")
            }
        }
        var view = MeshView()
        view.apply(frame)
        let settings = MeshSettings(datacenter: "dc1", defaultAllow: false)
        let inputs = SnapshotInputs(view: view, settings: settings)
        var times: [Duration] = []
        var bytes = 0
        for proxy in placed.withLock({ $0 }) {
            let registration = ProxyRegistration(
                proxyID: proxy.allocID, service: "web", allocID: proxy.allocID, workloadToken: proxy.token,
                leaf: Caravan_V1_LeafCert(), keyID: "")
            let start = ContinuousClock.now
            let built = ProxySnapshotBuilder.build(for: registration, inputs: inputs)
            times.append(ContinuousClock.now - start)
            guard let snapshot = built.snapshot else { throw BenchError("no snapshot for \(proxy.allocID)") }
            bytes = (try snapshot.serializedBytes() as [UInt8]).count
        }
        return (times, bytes)
    }

    static func node(_ number: Int) -> Caravan_V1_Node {
        var node = SchedulerBench.node(number)
        node.resources.cpuMhz = 8000
        node.resources.memoryMb = 16384
        node.attributes["unique.network.ip-address"] = "127.0.0.1"
        node.networkModes = ["host", "bridge"]
        return node
    }

    static func jobHCL(_ proxies: Int) -> String {
        """
        job "bench-mesh" {
          datacenters = ["dc1"]
          update {
            max_parallel = 0
          }
          group "web" {
            count = \(proxies)
            network {
              mode = "bridge"
              port "http" {}
            }
            service {
              name = "web"
              port = "http"
              connect {
                sidecar_service {
                  proxy {
                    upstreams {
                      destination_name = "api"
                      local_bind_port  = 9191
                    }
                  }
                }
              }
            }
            task "app" {
              driver = "raw_exec"
              config {
                command = "/bin/true"
              }
              resources {
                cpu    = 10
                memory = 10
              }
            }
          }
          group "api" {
            count = 3
            network {
              mode = "bridge"
              port "http" {}
            }
            service {
              name = "api"
              port = "http"
              meta {
                version = "1"
              }
              connect {
                sidecar_service {}
              }
            }
            task "app" {
              driver = "raw_exec"
              config {
                command = "/bin/true"
              }
              resources {
                cpu    = 10
                memory = 10
              }
            }
          }
        }
        """
    }

    static let configEntries = [
        """
        Kind     = "service-defaults"
        Name     = "api"
        Protocol = "http"
        """,
        """
        Kind          = "service-resolver"
        Name          = "api"
        DefaultSubset = "v1"
        Subsets = {
          v1 = { Filter = "Service.Meta.version == 1" }
          v2 = { Filter = "Service.Meta.version == 2" }
        }
        """,
        """
        Kind = "service-splitter"
        Name = "api"
        Splits = [
          { Weight = 90, ServiceSubset = "v1" },
          { Weight = 10, ServiceSubset = "v2" },
        ]
        """,
        """
        Kind = "service-router"
        Name = "api"
        Routes = [
          {
            Match { HTTP { PathPrefix = "/admin" } }
            Destination { ServiceSubset = "v2" }
          }
        ]
        """,
    ]
}
