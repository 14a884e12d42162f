import ArgumentParser
import CaravanDaemon
import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import Mesh
import Proxy

/// Push latency of one meshd to many proxies: 3 real serverd, 1 real meshd, `-proxies` simulated proxies in this
/// process (real ProxyConfig streams with real leaves); each round writes an intention for the proxies' service and
/// waits until every proxy has applied (and ACKed) a snapshot at or past the write's index.
struct MeshBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mesh",
        abstract: "Time from a mesh write to the last proxy's ACK, for N proxy streams on one meshd (loopback).",
        discussion: """
            Starts three serverd and one meshd, registers simulated nodes, runs a job with -proxies connect \
            allocations of service "web" (upstream "api", an HTTP service with a resolver, splitter and router) \
            and marks them running, gets each a workload token and connects one ProxyConfig stream per allocation. \
            Then -rounds times: replaces the intention "bench => web" through meshd (allow, then deny, ...) and measures the time until \
            every proxy applied a snapshot carrying it. Reports p50/p99/max over rounds of the last proxy's ACK, the \
            per-proxy latency distribution, and the time meshd's snapshot builder takes per proxy (measured in this \
            process on the same mesh state, read from the servers).
            """
    )

    @Option(name: .hashicorp("proxies"), help: "Simulated proxy streams.") var proxies = 1000
    @Option(name: .hashicorp("rounds"), help: "Measured writes.") var rounds = 30
    @Option(
        name: .hashicorp("connections"),
        help: "TLS connections the simulated proxies' streams share (0: one per proxy, as real proxies have).")
    var connections = 0
    @Option(name: .hashicorp("bin"), help: "Directory holding serverd and meshd (default: this executable's).")
    var bin: String?
    @Option(name: .hashicorp("timeout"), help: "Give up on any step after this many seconds.") var timeout = 300.0
    @Flag(name: .hashicorp("keep-data"), help: "Keep the temporary directory with data and logs.") var keepData = false
    @Flag(name: .hashicorp("json")) var json = false

    func validate() throws {
        guard proxies >= 1, rounds >= 1, timeout > 0, connections >= 0 else {
            throw ValidationError("-proxies, -rounds and -timeout must be positive")
        }
    }

    func run() async throws {
        let certificates = try BenchCertificates()
        defer { certificates.remove() }
        let daemons = try LocalDaemons(prefix: "caravan-bench-mesh", keep: keepData)
        daemons.removeOnStop(certificates.directory)
        let results: [BenchResult]
        do {
            let binDirectory = bin ?? RaftBench.executableDirectory
            let cluster = try await CaravanCluster.start(
                binDirectory: binDirectory, extraArguments: ["-min-heartbeat-ttl", "2h"], certificates: certificates,
                daemons: daemons)
            let workload = try MeshBenchWorkload(
                servers: cluster.clientAddresses, certificates: certificates, proxies: proxies,
                timeout: .seconds(timeout))
            let mesh = try await workload.startMeshd(binDirectory: binDirectory, daemons: daemons)
            try await workload.prepare(mesh: mesh)
            results = try await measure(workload, mesh: mesh)
        } catch {
            for line in daemons.stop() { RaftBenchPlan.note(line) }
            throw error
        }
        var problems = LogDigest()
        for line in daemons.logLines(containing: ["[ERROR]", "[CRITICAL]"]) { problems.add(line) }
        let stopNotes = daemons.stop()
        BenchResult.print(results, json: json)
        for line in problems.lines() { RaftBenchPlan.note("  " + line) }
        for line in stopNotes { RaftBenchPlan.note(line) }
    }

    func measure(_ workload: MeshBenchWorkload, mesh: HostPort) async throws -> [BenchResult] {
        let tracker = MeshAckTracker(proxies: proxies)
        let connectStart = ContinuousClock.now
        let streams = try await workload.connectProxies(mesh: mesh, tracker: tracker, connections: connections)
        defer { for stream in streams { stream.cancel() } }
        tracker.begin(at: connectStart)
        guard await tracker.wait(for: 1, timeout: workload.timeout) != nil else {
            throw BenchError("only \(tracker.started) of \(proxies) proxies got a snapshot within the timeout")
        }
        let connected = ContinuousClock.now - connectStart
        RaftBenchPlan.note("\(proxies) proxies got their first snapshot in \(format(connected))")

        var lastACK: [Duration] = []
        var perProxy: [Duration] = []
        for round in 0..<rounds {
            let start = ContinuousClock.now
            tracker.begin(at: start)
            let index = try await workload.writeIntention(round: round, mesh: mesh)
            guard let latencies = await tracker.wait(for: index, timeout: workload.timeout) else {
                throw BenchError("round \(round): not every proxy applied index \(index) within the timeout")
            }
            lastACK.append(latencies.max() ?? .zero)
            perProxy += latencies
        }
        let (builds, snapshotBytes) = try await workload.snapshotBuildTimes()
        let last = lastACK.sorted()
        let each = perProxy.sorted()
        let build = builds.sorted()
        return [
            BenchResult(name: "proxies connected (first snapshot)", value: connected.milliseconds, unit: "ms"),
            BenchResult(name: "write → last ACK p50", value: last.percentile(0.5).milliseconds, unit: "ms"),
            BenchResult(name: "write → last ACK p99", value: last.percentile(0.99).milliseconds, unit: "ms"),
            BenchResult(name: "write → last ACK max", value: (last.last ?? .zero).milliseconds, unit: "ms"),
            BenchResult(name: "write → each ACK p50", value: each.percentile(0.5).milliseconds, unit: "ms"),
            BenchResult(name: "write → each ACK p99", value: each.percentile(0.99).milliseconds, unit: "ms"),
            BenchResult(name: "snapshot build per proxy p50", value: build.percentile(0.5).microseconds, unit: "µs"),
            BenchResult(name: "snapshot build per proxy p99", value: build.percentile(0.99).microseconds, unit: "µs"),
            BenchResult(name: "snapshot size (protobuf)", value: Double(snapshotBytes), unit: "bytes"),
        ]
    }

    func format(_ duration: Duration) -> String { String(format: "%.1f s", duration.seconds) }
}
