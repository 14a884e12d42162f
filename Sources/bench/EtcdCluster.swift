import CaravanRPC
import Foundation
import GRPCCore

/// Three `etcd` members on loopback, the reference `bench raft -etcd` compares Caravan against.
///
/// They get the same treatment as serverd: mutual TLS with the benchmark's CA on both the client and the peer
/// port, fsync on commit (etcd's default), one data directory each in the run's temporary directory.
struct EtcdCluster: BenchCluster {
    let system = "etcd"
    let clientAddresses: [HostPort]
    let problemMarkers = ["\"level\":\"warn\"", "\"level\":\"error\"", "\"level\":\"fatal\"", "\"level\":\"panic\""]

    static let installHint =
        "no etcd on PATH: install it (Debian or Ubuntu: `apt-get install -y etcd-server`, etcd 3.4), "
        + "or pass -etcd-bin PATH"

    /// `explicit` when given, else the first `etcd` on PATH.
    static func findExecutable(_ explicit: String?) -> String? {
        if let explicit { return FileManager.default.isExecutableFile(atPath: explicit) ? explicit : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/etcd" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// The first line of `etcd --version`, for the report.
    static func version(of executable: String) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--version"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return "unknown version" }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self).split(separator: "\n").first.map(String.init)
            ?? "unknown version"
    }

    /// Starts the members and returns once every one of them knows the same leader.
    static func start(executable: String, certificates: BenchCertificates, daemons: LocalDaemons) async throws
        -> EtcdCluster
    {
        let ports = try FreePorts.pick(6)
        let clientPorts = Array(ports[0..<3])
        let peerPorts = Array(ports[3..<6])
        let initialCluster = (0..<3).map { "etcd-\($0)=https://127.0.0.1:\(peerPorts[$0])" }.joined(separator: ",")
        let tls = certificates.directory
        for member in 0..<3 {
            let client = "https://127.0.0.1:\(clientPorts[member])"
            let peer = "https://127.0.0.1:\(peerPorts[member])"
            _ = try daemons.start(
                name: "etcd-\(member)",
                executable: executable,
                arguments: [
                    "--name", "etcd-\(member)", "--data-dir", "\(daemons.directory)/etcd-\(member)",
                    "--listen-client-urls", client, "--advertise-client-urls", client,
                    "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                    "--initial-cluster", initialCluster, "--initial-cluster-state", "new",
                    "--initial-cluster-token", "caravan-bench",
                    "--client-cert-auth", "--trusted-ca-file", "\(tls)/ca.pem",
                    "--cert-file", "\(tls)/server.pem", "--key-file", "\(tls)/server-key.pem",
                    "--peer-client-cert-auth", "--peer-trusted-ca-file", "\(tls)/ca.pem",
                    "--peer-cert-file", "\(tls)/server.pem", "--peer-key-file", "\(tls)/server-key.pem",
                    "--logger", "zap", "--log-outputs", "stderr",
                ]
            )
        }
        let cluster = EtcdCluster(clientAddresses: clientPorts.map { HostPort(host: "127.0.0.1", port: $0) })
        try await cluster.waitForLeader(dialer: RPCDialer(tls: try certificates.material("cli")), daemons: daemons)
        return cluster
    }

    func reportedLeaders(dialer: RPCDialer) async throws -> [String] {
        try await clientAddresses.asyncMap { address in
            let leader = try await status(at: address, dialer: dialer).leader
            return leader == 0 ? "" : String(leader, radix: 16)
        }
    }

    func leaderIndex(dialer: RPCDialer) async throws -> Int {
        let statuses = try await clientAddresses.asyncMap { try await status(at: $0, dialer: dialer) }
        guard let index = statuses.firstIndex(where: { $0.leader != 0 && $0.memberID == $0.leader }) else {
            throw BenchError("no etcd member says it leads: \(statuses)")
        }
        return index
    }

    func status(at address: HostPort, dialer: RPCDialer) async throws -> EtcdWire.Status {
        try await dialer.withClient(address) { client in
            let reply = try await client.unary(
                request: ClientRequest(message: [UInt8]()),
                descriptor: EtcdWire.status,
                serializer: EncodedMessageSerializer(),
                deserializer: EncodedMessageDeserializer(),
                options: .defaults
            ) { try $0.message }
            return try EtcdWire.decodeStatus(reply)
        }
    }

    func writer<Transport: ClientTransport>(_ client: GRPCClient<Transport>) -> KeyWriter {
        { key, value in
            _ = try await client.unary(
                request: ClientRequest(message: EtcdWire.putRequest(key: key, value: value)),
                descriptor: EtcdWire.put,
                serializer: EncodedMessageSerializer(),
                deserializer: EncodedMessageDeserializer(),
                options: .defaults
            ) { try $0.message }
        }
    }
}
