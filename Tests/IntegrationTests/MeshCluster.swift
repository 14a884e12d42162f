import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Proxy
import TestSupport

/// Three serverd, two meshd replicas and a simulated node running a two-service connect job ("api", with "db" as
/// its upstream), for the mesh control plane tests. Proxies are `ProxyConfigClient`s standing in for proxyd.
final class MeshCluster: Sendable {
    let servers: ServerCluster
    let meshes: [DaemonProcess]
    let meshAddresses: [HostPort]
    let node: SimulatedNode
    let heartbeats: Task<Void, Never>
    /// Allocation id by group ("api", "db").
    let allocs: [String: String]

    static let jobHCL = """
        job "shop" {
          datacenters = ["dc1"]
          group "api" {
            network {
              mode = "bridge"
              port "http" {}
            }
            service {
              name = "api"
              port = "http"
              connect {
                sidecar_service {
                  proxy {
                    upstreams {
                      destination_name = "db"
                      local_bind_port  = 5432
                    }
                  }
                }
              }
            }
            task "server" {
              driver = "raw_exec"
              config {
                command = "/bin/sleep"
                args    = ["600"]
              }
            }
          }
          group "db" {
            network {
              mode = "bridge"
              port "db" {}
            }
            service {
              name = "db"
              port = "db"
              tags = ["v1"]
              meta {
                version = "1"
              }
              connect {
                sidecar_service {}
              }
            }
            task "server" {
              driver = "raw_exec"
              config {
                command = "/bin/sleep"
                args    = ["600"]
              }
            }
          }
        }
        """

    init(defaultIntentionPolicy: String = "deny", serverFlags: [String] = []) async throws {
        let servers = try ServerCluster(size: 3, extraFlags: serverFlags)
        self.servers = servers
        try servers.startAll()
        _ = try await servers.waitForLeader()
        let serverList = servers.slots.map { $0.rpcAddress.description }.joined(separator: ",")
        var meshes: [DaemonProcess] = []
        var addresses: [HostPort] = []
        for index in 0..<2 {
            let process = try DaemonProcess(
                "meshd",
                [
                    "-bind", "127.0.0.1", "-node", "mesh-\(index)", "-port", "0", "-servers", serverList,
                    "-dc", "dc1", "-default-intention-policy", defaultIntentionPolicy,
                    "-ca-file", servers.certs.path("ca.pem"), "-cert-file", servers.certs.path("mesh.pem"),
                    "-key-file", servers.certs.path("mesh-key.pem"),
                ])
            meshes.append(process)
            addresses.append(HostPort(host: "127.0.0.1", port: try await process.listeningPort()))
        }
        self.meshes = meshes
        meshAddresses = addresses
        let node = try SimulatedNode(
            name: "mesh-node", certs: servers.certs, attributes: ["unique.network.ip-address": "127.0.0.1"],
            networkModes: ["host", "bridge"])
        self.node = node
        let server = servers.slots[0].rpcAddress
        _ = try await node.register(on: server)
        let registered = node
        heartbeats = Task { await registered.heartbeatForever(servers: [server]) }
        let path = servers.root + "/shop.hcl"
        try Self.jobHCL.write(toFile: path, atomically: true, encoding: .utf8)
        let run = try await Self.ctl(servers, server: server, ["job", "run"], ["-detach", path])
        guard run.status == 0 else { throw CaravanError.invalidArgument("job run: \(run.stderr)") }
        let placed = try await SchedulingClusterTests.waitForAllocations(servers, on: 0, job: "shop") {
            $0.count == 2
        }
        allocs = Dictionary(uniqueKeysWithValues: placed.map { ($0.taskGroup, $0.id) })
        try await node.withNodes(server) { nodes in
            _ = try await nodes.updateAllocations(
                .with {
                    $0.nodeID = registered.node.id
                    $0.secretID = registered.node.secretID
                    $0.updates = placed.map { alloc in
                        .with {
                            $0.allocID = alloc.id
                            $0.clientStatus = .running
                        }
                    }
                })
        }
    }

    /// Runs `body` on a new cluster and stops every daemon afterwards, whether `body` succeeded or not.
    static func with(
        defaultIntentionPolicy: String = "deny", serverFlags: [String] = [],
        _ body: (MeshCluster) async throws -> Void
    ) async throws {
        let cluster = try await MeshCluster(defaultIntentionPolicy: defaultIntentionPolicy, serverFlags: serverFlags)
        do {
            try await body(cluster)
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }

    func stop() async {
        heartbeats.cancel()
        await stopMeshes()
        servers.killAllNow()
    }

    func stopMeshes() async {
        for mesh in meshes { _ = await mesh.stop(signal: SIGKILL) }
    }

    /// A workload token for the allocation of `group`, as clientd would get one for its sidecar.
    func token(group: String, service: String) async throws -> String {
        let node = self.node
        let alloc = allocs[group] ?? ""
        return try await node.withNodes(servers.slots[1].rpcAddress) { nodes in
            try await nodes.issueWorkloadToken(
                .with {
                    $0.nodeID = node.node.id
                    $0.secretID = node.node.secretID
                    $0.allocID = alloc
                    $0.service = service
                }
            ).token
        }
    }

    /// A proxy for `service` of `group`'s allocation, talking to the meshd replicas in `order`.
    func proxy(group: String, service: String, meshOrder: [Int] = [0, 1], token: String? = nil) async throws
        -> ProxyConfigClient
    {
        var workloadToken = token ?? ""
        if token == nil { workloadToken = try await self.token(group: group, service: service) }
        let identity = ProxyConfigClient.Identity(
            proxyID: "\(allocs[group] ?? "")-sidecar-proxy-\(service)", service: service, allocID: allocs[group] ?? "",
            nodeID: node.node.id, workloadToken: workloadToken)
        return ProxyConfigClient(
            identity: identity, meshes: meshOrder.map { meshAddresses[$0] }, tls: try servers.certs.material("client"),
            region: "global")
    }

    /// `ctl` against a meshd replica (mesh verbs) with the cli certificate.
    func meshCtl(_ words: [String], _ arguments: [String] = [], mesh: Int = 0) async throws -> CommandResult {
        try await Self.ctl(servers, server: meshAddresses[mesh], words, arguments)
    }

    static func ctl(_ servers: ServerCluster, server: HostPort, _ words: [String], _ arguments: [String]) async throws
        -> CommandResult
    {
        let connection = [
            "-address", server.description, "-ca-cert", servers.certs.path("ca.pem"),
            "-client-cert", servers.certs.path("cli.pem"), "-client-key", servers.certs.path("cli-key.pem"),
        ]
        return try await runCommand(BuiltProducts.path("ctl"), words + connection + arguments)
    }
}
