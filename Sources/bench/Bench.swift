import ArgumentParser
import CaravanDaemon
import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore

/// Caravan's benchmark runner. Prints a table (and `-json`); numbers depend on the machine, so report them with
/// its description.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks for Caravan's building blocks.",
        subcommands: [
            RPCBench.self, CertBench.self, HCLBench.self, RaftBench.self, SchedulerBench.self, ClientBench.self,
            NetworkBench.self, MeshBench.self,
        ],
        helpNames: .hashicorpHelp
    )
}

/// Agent.Status round trips over mutual TLS on loopback: sequential latency and concurrent throughput.
struct RPCBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rpc", abstract: "mTLS gRPC unary calls on loopback.")

    @Option(name: .hashicorp("calls"), help: "Calls per phase.") var calls = 2000
    @Option(name: .hashicorp("concurrency"), help: "Concurrent callers in the throughput phase.") var concurrency = 16
    @Flag(name: .hashicorp("json")) var json = false

    func run() async throws {
        let certs = try BenchCertificates()
        defer { certs.remove() }
        let status = AgentStatusService(
            description: AgentDescription(name: "bench", role: .server, region: "global", datacenter: "dc1")
        )
        let server = RPCServer(
            bind: HostPort(host: "127.0.0.1", port: 0),
            tls: try certs.material("server"),
            region: "global",
            services: [status]
        )
        let dialer = RPCDialer(tls: try certs.material("cli"))
        let calls = self.calls
        let concurrency = self.concurrency
        let results = try await withThrowingTaskGroup(of: [BenchResult]?.self) { group in
            group.addTask {
                try await server.serve()
                return nil
            }
            let address = try await server.listeningAddress()
            let results = try await dialer.withClient(address) { client in
                let agent = Caravan_V1_Agent.Client(wrapping: client)
                _ = try await agent.status(Caravan_V1_AgentStatusRequest())  // connect and warm up
                var latencies: [Duration] = []
                latencies.reserveCapacity(calls)
                let clock = ContinuousClock()
                let sequentialStart = clock.now
                for _ in 0..<calls {
                    let start = clock.now
                    _ = try await agent.status(Caravan_V1_AgentStatusRequest())
                    latencies.append(clock.now - start)
                }
                let sequential = clock.now - sequentialStart
                let concurrentStart = clock.now
                try await withThrowingTaskGroup(of: Void.self) { callers in
                    for worker in 0..<concurrency {
                        callers.addTask {
                            for _ in stride(from: worker, to: calls, by: concurrency) {
                                _ = try await agent.status(Caravan_V1_AgentStatusRequest())
                            }
                        }
                    }
                    try await callers.waitForAll()
                }
                let concurrent = clock.now - concurrentStart
                latencies.sort()
                return [
                    BenchResult(
                        name: "status sequential p50", value: latencies.percentile(0.50).microseconds, unit: "µs"),
                    BenchResult(
                        name: "status sequential p99", value: latencies.percentile(0.99).microseconds, unit: "µs"),
                    BenchResult(name: "status sequential", value: Double(calls) / sequential.seconds, unit: "calls/s"),
                    BenchResult(
                        name: "status concurrent (\(concurrency))",
                        value: Double(calls) / concurrent.seconds,
                        unit: "calls/s"
                    ),
                ]
            }
            server.beginGracefulShutdown()
            try await group.waitForAll()
            return results
        }
        BenchResult.print(results, json: json)
    }
}

/// Certificate issuance and TLS material loading, the cost of `ctl tls` and of every daemon start.
struct CertBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "certs", abstract: "Certificate issuance.")

    @Option(name: .hashicorp("count"), help: "Certificates to issue.") var count = 200
    @Flag(name: .hashicorp("json")) var json = false

    func run() async throws {
        let clock = ContinuousClock()
        let ca = try CertificateFactory.createCA()
        let start = clock.now
        for _ in 0..<count {
            _ = try CertificateFactory.createAgentCertificate(
                role: .server,
                region: "global",
                caCertificatePEM: ca.certificatePEM,
                caPrivateKeyPEM: ca.privateKeyPEM
            )
        }
        let issue = clock.now - start
        let certs = try BenchCertificates()
        defer { certs.remove() }
        let loadStart = clock.now
        for _ in 0..<count { _ = try certs.material("server") }
        let load = clock.now - loadStart
        BenchResult.print(
            [
                BenchResult(name: "issue agent certificate", value: Double(count) / issue.seconds, unit: "certs/s"),
                BenchResult(name: "load + verify TLS material", value: Double(count) / load.seconds, unit: "loads/s"),
            ],
            json: json
        )
    }
}

struct BenchResult: Codable {
    var name: String
    var value: Double
    var unit: String

    static func print(_ results: [BenchResult], json: Bool) {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            if let data = try? encoder.encode(results) { Swift.print(String(decoding: data, as: UTF8.self)) }
            return
        }
        let width = results.map(\.name.count).max() ?? 0
        for result in results {
            let name = result.name.padding(toLength: width, withPad: " ", startingAt: 0)
            Swift.print("\(name)  \(String(format: "%12.1f", result.value)) \(result.unit)")
        }
    }
}

/// A throwaway CA and certificates in a temporary directory.
struct BenchCertificates {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "caravan-bench-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ca = try CertificateFactory.createCA()
        try ca.certificatePEM.write(toFile: "\(directory)/ca.pem", atomically: true, encoding: .utf8)
        for role in [AgentRole.server, .cli, .client, .mesh] {
            let issued = try CertificateFactory.createAgentCertificate(
                role: role,
                region: "global",
                caCertificatePEM: ca.certificatePEM,
                caPrivateKeyPEM: ca.privateKeyPEM
            )
            try issued.certificatePEM.write(toFile: "\(directory)/\(role).pem", atomically: true, encoding: .utf8)
            try issued.privateKeyPEM.write(toFile: "\(directory)/\(role)-key.pem", atomically: true, encoding: .utf8)
        }
    }

    func material(_ role: String) throws -> TLSMaterial {
        try TLSMaterial(
            files: TLSFiles(
                caFile: "\(directory)/ca.pem",
                certFile: "\(directory)/\(role).pem",
                keyFile: "\(directory)/\(role)-key.pem"
            )
        )
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var microseconds: Double { seconds * 1e6 }
}

extension [Duration] {
    func percentile(_ p: Double) -> Duration {
        guard !isEmpty else { return .zero }
        return self[Swift.min(count - 1, Int(Double(count) * p))]
    }
}
