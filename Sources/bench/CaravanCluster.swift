import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore

/// Three real `serverd` processes on loopback forming a Raft cluster, as `deploy/dev up -servers 3` starts them.
struct CaravanCluster: BenchCluster {
    let system = "caravan"
    let clientAddresses: [HostPort]
    let problemMarkers = ["[WARN]", "[ERROR]", "[CRITICAL]"]

    /// Starts the servers from `binDirectory` and returns once every one of them knows the same leader.
    /// `extraArguments` go to every serverd after the benchmark's own (e.g. `-raft-snapshot-threshold 100000`).
    static func start(
        binDirectory: String, extraArguments: [String], certificates: BenchCertificates, daemons: LocalDaemons
    ) async throws -> CaravanCluster {
        let serverd = (binDirectory as NSString).appendingPathComponent("serverd")
        guard FileManager.default.isExecutableFile(atPath: serverd) else {
            throw BenchError(
                "no serverd in \(binDirectory): build it with `swift build --product serverd`, or pass -bin DIR")
        }
        let ports = try FreePorts.pick(9)
        let rpcPorts = Array(ports[0..<3])
        let raftPorts = Array(ports[3..<6])
        let httpPorts = Array(ports[6..<9])
        let join = raftPorts.map { "127.0.0.1:\($0)" }.joined(separator: ",")
        let tls = certificates.directory
        for server in 0..<3 {
            _ = try daemons.start(
                name: "serverd-\(server)",
                executable: serverd,
                arguments: [
                    "-bind", "127.0.0.1", "-node", "server-\(server)",
                    "-data-dir", "\(daemons.directory)/server-\(server)",
                    "-rpc-port", "\(rpcPorts[server])", "-raft-port", "\(raftPorts[server])",
                    "-http-port", "\(httpPorts[server])",
                    "-bootstrap-expect", "3", "-join", join,
                    "-ca-file", "\(tls)/ca.pem", "-cert-file", "\(tls)/server.pem", "-key-file",
                    "\(tls)/server-key.pem",
                ] + extraArguments
            )
        }
        let cluster = CaravanCluster(clientAddresses: rpcPorts.map { HostPort(host: "127.0.0.1", port: $0) })
        try await cluster.waitForLeader(dialer: RPCDialer(tls: try certificates.material("cli")), daemons: daemons)
        return cluster
    }

    func reportedLeaders(dialer: RPCDialer) async throws -> [String] {
        try await clientAddresses.asyncMap { try await leader(at: $0, dialer: dialer) }
    }

    func leaderIndex(dialer: RPCDialer) async throws -> Int {
        let leader = try await leader(at: clientAddresses[0], dialer: dialer)
        guard let index = clientAddresses.firstIndex(where: { $0.description == leader }) else {
            throw BenchError("server 0 reports leader \"\(leader)\", which is none of \(clientAddresses)")
        }
        return index
    }

    /// The leader's RPC address as the server at `address` knows it; "" while there is none.
    func leader(at address: HostPort, dialer: RPCDialer) async throws -> String {
        try await dialer.withClient(address) { client in
            try await Caravan_V1_Agent.Client(wrapping: client).status(Caravan_V1_AgentStatusRequest()).leader
        }
    }

    func writer<Transport: ClientTransport>(_ client: GRPCClient<Transport>) -> KeyWriter {
        let variables = Caravan_V1_Variables.Client(wrapping: client)
        return { key, value in
            var request = Caravan_V1_PutVariableRequest()
            request.variable.path = key
            request.variable.items = ["value": value]
            _ = try await variables.put(request)
        }
    }
}

extension Array where Element: Sendable {
    /// `map` with an async transform, one element at a time.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        results.reserveCapacity(count)
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
