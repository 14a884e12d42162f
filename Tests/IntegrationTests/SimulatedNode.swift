import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import TestSupport

/// A client node without clientd: registers with a client certificate and heartbeats, as clientd will. The
/// scheduler integration tests and `bench scheduler` stand up many of these to place work on.
struct SimulatedNode: Sendable {
    let node: Caravan_V1_Node
    let dialer: RPCDialer

    /// `volumes`: host volume name → read-only.
    init(
        name: String, certs: CertificateFixture, cpu: Int64 = 4000, memory: Int64 = 8192, volumes: [String: Bool] = [:],
        attributes: [String: String] = [:], networkModes: [String] = ["host"]
    ) throws {
        var node = Caravan_V1_Node()
        node.id = UUID().uuidString.lowercased()
        node.secretID = UUID().uuidString.lowercased()
        node.name = name
        node.datacenter = "dc1"
        node.resources.cpuMhz = cpu
        node.resources.memoryMb = memory
        node.attributes = ["kernel.name": "linux", "os.name": "debian"].merging(attributes) { _, given in given }
        let healthy = Caravan_V1_DriverInfo.with {
            $0.detected = true
            $0.healthy = true
        }
        node.drivers = ["raw_exec": healthy, "exec": healthy]
        for (volume, readOnly) in volumes {
            node.hostVolumes[volume] = .with {
                $0.name = volume
                $0.path = "/srv/\(volume)"
                $0.readOnly = readOnly
            }
        }
        node.networkModes = networkModes
        self.node = node
        dialer = RPCDialer(tls: try certs.material("client"), callTimeout: .seconds(10))
    }

    func withNodes<Result: Sendable>(
        _ server: HostPort, _ body: (Caravan_V1_Nodes.Client<HTTP2ClientTransport.Posix>) async throws -> Result
    ) async throws -> Result {
        try await dialer.withClient(server) { try await body(Caravan_V1_Nodes.Client(wrapping: $0)) }
    }

    func register(on server: HostPort) async throws -> Caravan_V1_RegisterNodeResponse {
        try await withNodes(server) { try await $0.register(.with { $0.node = node }) }
    }

    func heartbeat(on server: HostPort) async throws -> Caravan_V1_NodeHeartbeatResponse {
        try await withNodes(server) { nodes in
            try await nodes.heartbeat(
                .with {
                    $0.nodeID = node.id
                    $0.secretID = node.secretID
                    $0.status = .ready
                })
        }
    }

    /// Heartbeats until cancelled, to whichever server answers, at a third of the TTL.
    func heartbeatForever(servers: [HostPort]) async {
        var next = 0
        while !Task.isCancelled {
            let ttl = try? await heartbeat(on: servers[next % servers.count])
            next += 1
            let wait = ttl.map { Double($0.heartbeatTtl.seconds) + Double($0.heartbeatTtl.nanos) / 1e9 } ?? 0.3
            try? await Task.sleep(for: .seconds(max(0.1, wait / 3)))
        }
    }
}
