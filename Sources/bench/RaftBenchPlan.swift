import CaravanRPC
import Foundation

/// One `bench raft` run, decided from the flags: start the cluster, run every level against every target.
struct RaftBenchPlan: Sendable {
    var levels: [Int]
    /// "all", "leader", "follower".
    var targets: [String]
    var writes: Int
    var maxSeconds: Double
    var valueBytes: Int
    /// Where serverd is.
    var binDirectory: String
    /// More flags for every serverd.
    var serverdArguments: [String]
    /// Measure etcd (this executable) instead of serverd.
    var etcdExecutable: String?

    /// Starts the cluster (etcd when `etcdExecutable` is set, else serverd) and measures it.
    func startAndMeasure(_ certificates: BenchCertificates, _ daemons: LocalDaemons)
        async throws -> (any BenchCluster, [WriteLevelResult])
    {
        let cluster: any BenchCluster
        if let etcdExecutable {
            note("starting 3 etcd members (\(EtcdCluster.version(of: etcdExecutable))) in \(daemons.directory)")
            cluster = try await EtcdCluster.start(
                executable: etcdExecutable, certificates: certificates, daemons: daemons)
        } else {
            note("starting 3 serverd from \(binDirectory) in \(daemons.directory)")
            cluster = try await CaravanCluster.start(
                binDirectory: binDirectory, extraArguments: serverdArguments, certificates: certificates,
                daemons: daemons)
        }
        // Longer than the servers' own 10 s write timeout, so a slow write shows the server's error, not ours.
        let dialer = RPCDialer(tls: try certificates.material("cli"), callTimeout: .seconds(30))
        return (cluster, try await measure(cluster, dialer: dialer, daemons))
    }

    /// Runs every level against every target over one connection per member, kept open for the whole run.
    func measure(_ cluster: any BenchCluster, dialer: RPCDialer, _ daemons: LocalDaemons) async throws
        -> [WriteLevelResult]
    {
        let value = WriteLoad.randomValue(bytes: valueBytes)
        let run = UUID().uuidString.prefix(8)
        return try await cluster.withWriters(dialer: dialer) { members in
            // Connect and warm up every member's connection (TLS handshake, forwarding paths) outside the timing.
            for (index, member) in members.enumerated() {
                for write in 0..<5 { try await member("bench/\(run)/warmup/m\(index)/\(write)", value) }
            }
            var results: [WriteLevelResult] = []
            for level in levels {
                for target in targets {
                    var chosen = members
                    if target != "all" {
                        let leader = try await cluster.leaderIndex(dialer: dialer)
                        chosen =
                            target == "leader"
                            ? [members[leader]] : members.indices.filter { $0 != leader }.map { members[$0] }
                    }
                    let load = WriteLoad(
                        writers: level, writes: writes, timeLimit: .milliseconds(Int(maxSeconds * 1000)),
                        keyPrefix: "bench/\(run)/\(target)/\(level)", targets: chosen, value: value)
                    note("\(cluster.system): \(level) writers, target \(target)…")
                    let outcome = await load.run()
                    try Task.checkCancellation()
                    let result = WriteLevelResult(
                        system: cluster.system, target: target, writers: level, outcome: outcome)
                    note("  " + result.row)
                    let errors = outcome.errors.sorted {
                        $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key)
                    }
                    for (text, count) in errors.prefix(10) { note("  failed: \(count) × \(text)") }
                    if errors.count > 10 { note("  failed: … and \(errors.count - 10) other messages") }
                    results.append(result)
                    if let exited = daemons.exited().first { throw BenchError("a member exited under load: \(exited)") }
                }
            }
            return results
        }
    }

    static func note(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }

    func note(_ line: String) { Self.note(line) }
}
