import ArgumentParser
import CaravanDaemon
import CaravanRPC
import Foundation

/// Replicated write throughput and latency of a real three-server Caravan cluster, or of etcd for comparison.
///
/// Every write is acknowledged only after a majority fsynced it, so these numbers are bounded by the disk's
/// fsync latency and by how well the leader batches concurrent writes into one fsync (group commit).
struct RaftBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raft",
        abstract: "Write throughput and latency of a 3-server Caravan cluster (or etcd with -etcd) on loopback.",
        discussion: """
            Starts three serverd (or etcd) processes on loopback in a temporary directory, waits for a leader, \
            then for each -writers level runs -writes variable writes (Variables.Put; etcd: KV.Put) of \
            -value-bytes random bytes, each writer waiting for its write to be acknowledged before sending the \
            next. Target "all" sends each writer's writes to the three members in turn (followers forward to the \
            leader), "leader" only to the leader, "follower" only to the two followers. Stops the processes and \
            removes the directory afterwards, also on failure or Ctrl-C.
            """
    )

    @Option(name: .hashicorp("writers"), help: "Comma-separated concurrency levels.") var writers = "1,16,256"
    @Option(name: .hashicorp("writes"), help: "Writes per level and target.") var writes = 2000
    @Option(
        name: .hashicorp("max-seconds"),
        help: "Stop a level after this many seconds even if fewer writes were done (keeps 1 writer short)."
    ) var maxSeconds = 10.0
    @Option(name: .hashicorp("value-bytes"), help: "Size of each written value.") var valueBytes = 256
    @Option(
        name: .hashicorp("targets"),
        help: "Comma-separated: all (every member in turn), leader (leader only), follower (the two followers)."
    )
    var targets = "all,leader"
    @Option(name: .hashicorp("bin"), help: "Directory holding serverd (default: this executable's directory).")
    var bin: String?
    @Option(
        name: .hashicorp("serverd-arg"),
        parsing: .unconditionalSingleValue,
        help: "A flag for every serverd, repeatable: -serverd-arg -raft-snapshot-threshold -serverd-arg 100000."
    )
    var serverdArguments: [String] = []
    @Flag(name: .hashicorp("etcd"), help: "Measure a 3-member etcd cluster instead of Caravan.") var etcd = false
    @Option(name: .hashicorp("etcd-bin"), help: "The etcd executable (default: etcd on PATH).") var etcdBin: String?
    @Flag(name: .hashicorp("keep-data"), help: "Keep the temporary directory with data and logs.") var keepData = false
    @Flag(name: .hashicorp("json")) var json = false

    func validate() throws {
        guard (try? levels()) != nil else { throw ValidationError("-writers: comma-separated positive numbers") }
        guard (try? targetList()) != nil else {
            throw ValidationError("-targets: comma-separated all, leader, follower")
        }
        guard writes >= 1, valueBytes >= 1, valueBytes <= 60_000, maxSeconds > 0 else {
            throw ValidationError("-writes, -max-seconds and -value-bytes (at most 60000) must be positive")
        }
    }

    func run() async throws {
        let etcdExecutable = EtcdCluster.findExecutable(etcdBin)
        if etcd && etcdExecutable == nil {
            let problem = etcdBin.map { "-etcd-bin \($0): not an executable file" } ?? EtcdCluster.installHint
            FileHandle.standardError.write(Data("bench raft -etcd: \(problem)\n".utf8))
            throw ExitCode(2)
        }
        let plan = RaftBenchPlan(
            levels: try levels(), targets: try targetList(), writes: writes, maxSeconds: maxSeconds,
            valueBytes: valueBytes, binDirectory: bin ?? Self.executableDirectory, serverdArguments: serverdArguments,
            etcdExecutable: etcd ? etcdExecutable : nil)
        let certificates = try BenchCertificates()
        defer { certificates.remove() }
        let daemons = try LocalDaemons(prefix: etcd ? "etcd-bench" : "caravan-bench-raft", keep: keepData)
        daemons.removeOnStop(certificates.directory)
        let interrupts = daemons.interrupts()
        let cluster: any BenchCluster
        let results: [WriteLevelResult]
        do {
            (cluster, results) = try await withThrowingTaskGroup(of: (any BenchCluster, [WriteLevelResult])?.self) {
                group in
                group.addTask { try await plan.startAndMeasure(certificates, daemons) }
                group.addTask {
                    for await signalNumber in interrupts { throw Interrupted(signal: signalNumber) }
                    return nil
                }
                defer { group.cancelAll() }
                guard let finished = try await group.next(), let outcome = finished else {
                    throw BenchError("the run ended without results")
                }
                return outcome
            }
        } catch {
            for line in daemons.stop() { note(line) }
            if let interrupted = error as? Interrupted {
                note("interrupted by signal \(interrupted.signal); the cluster is stopped and removed")
                throw ExitCode(128 + interrupted.signal)
            }
            throw error
        }
        var logProblems = LogDigest()
        for line in daemons.logLines(containing: cluster.problemMarkers) { logProblems.add(line) }
        let stopNotes = daemons.stop()
        WriteLevelResult.print(results, json: json)
        if logProblems.entries.isEmpty {
            note("no warnings or errors in the \(cluster.system) logs")
        } else {
            note("warnings and errors in the \(cluster.system) logs:")
            for line in logProblems.lines() { note("  " + line) }
        }
        for line in stopNotes { note(line) }
        if keepData { note("data and logs kept in \(daemons.directory)") }
    }

    func levels() throws -> [Int] {
        let levels = writers.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !levels.isEmpty, levels.allSatisfy({ ($0 ?? 0) >= 1 }) else { throw ValidationError("-writers") }
        return levels.compactMap { $0 }
    }

    func targetList() throws -> [String] {
        let targets = targets.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !targets.isEmpty, targets.allSatisfy({ ["all", "leader", "follower"].contains($0) }) else {
            throw ValidationError("-targets")
        }
        return targets
    }

    /// Where the running bench executable lives; serverd is built next to it.
    static var executableDirectory: String {
        let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        return executable.resolvingSymlinksInPath().deletingLastPathComponent().path
    }

    func note(_ line: String) { RaftBenchPlan.note(line) }
}

/// The benchmark got SIGINT or SIGTERM: stop, clean up, exit with 128 + signal.
struct Interrupted: Error {
    let signal: Int32
}
