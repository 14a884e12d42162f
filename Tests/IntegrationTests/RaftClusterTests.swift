import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Synchronization
import TestSupport
import Testing

@Suite("Raft cluster of real serverd processes", .serialized, .timeLimit(.minutes(5)))
struct RaftClusterTests {
    /// Puts `value` at `path` on server `index`; nil when the call failed.
    static func put(_ cluster: ServerCluster, on index: Int, path: String, value: String) async -> UInt64? {
        try? await cluster.put(on: index, path: path, value: value)
    }

    @Test("kill -9 of the leader during writes loses no acknowledged write; the killed server catches up")
    func leaderCrashLosesNothing() async throws {
        let cluster = try ServerCluster(size: 3)
        defer { cluster.killAllNow() }
        try cluster.startAll()
        let leader = try await cluster.waitForLeader()

        let acknowledged = Locked<[String: String]>([:])
        let killed = AsyncSignal()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    // Each writer goes on until 30 of its writes were acknowledged, riding out the election.
                    var successes = 0
                    var sequence = 0
                    while successes < 30 && sequence < 600 {
                        let path = "crash/w\(writer)/\(sequence)"
                        let value = "\(writer)-\(sequence)"
                        // Spread writes over all servers; followers forward to the leader.
                        let target = (writer + sequence) % 3
                        if await Self.put(cluster, on: target, path: path, value: value) != nil {
                            acknowledged.withLock { $0[path] = value }
                            successes += 1
                        } else {
                            try await Task.sleep(for: .milliseconds(20))
                        }
                        sequence += 1
                    }
                }
            }
            group.addTask {
                while acknowledged.withLock({ $0.count }) < 40 { try await Task.sleep(for: .milliseconds(20)) }
                await cluster.kill(leader)
                killed.fire()
            }
            try await group.waitForAll()
        }
        await killed.wait()
        let acked = acknowledged.withLock { $0 }
        // Writes aimed at the killed server fail; the others go on once a new leader is elected.
        #expect(acked.count == 120, "writes did not resume after the crash: \(acked.count)\n\(cluster.logs)")

        try cluster.start(leader)
        _ = try await cluster.waitForLeader()
        for index in 0..<3 {
            try await expectEventually("server \(index) holds every acknowledged write", cluster: cluster) {
                try await cluster.storedPaths(on: index, prefix: "crash/").isSuperset(of: acked.keys)
            }
            let values = try await cluster.withVariables(index) { variables in
                var values: [String: String] = [:]
                for path in acked.keys {
                    let response = try await variables.get(
                        Caravan_V1_GetVariableRequest.with {
                            $0.path = path
                            $0.query.allowStale = true
                        })
                    values[path] = response.variable.items["v"]
                }
                return values
            }
            #expect(values == acked, "server \(index) has different values")
        }
    }

    @Test("a server that missed compacted entries catches up through InstallSnapshot")
    func snapshotCatchUp() async throws {
        let cluster = try ServerCluster(
            size: 3, extraFlags: ["-raft-snapshot-threshold", "40", "-raft-trailing-logs", "5"])
        defer { cluster.killAllNow() }
        try cluster.startAll()
        let leader = try await cluster.waitForLeader()
        let follower = (leader + 1) % 3
        await cluster.kill(follower)
        for sequence in 0..<120 {
            let value = await Self.put(cluster, on: leader, path: "snap/\(sequence)", value: "\(sequence)")
            #expect(value != nil, "write \(sequence) failed\n\(cluster.logs)")
        }
        #expect(await cluster.logs(leader, contain: "snapshot taken"))

        try cluster.start(follower)
        let expected = Set((0..<120).map { "snap/\($0)" })
        try await expectEventually("the restarted follower holds all 120 writes", cluster: cluster) {
            try await cluster.storedPaths(on: follower, prefix: "snap/") == expected
        }
        #expect(
            await cluster.logs(follower, contain: "installed snapshot from leader"), "\(cluster.logs)")

        // It restarts again from its own snapshot and log, without the leader's help for old entries.
        await cluster.kill(follower)
        try cluster.start(follower)
        try await expectEventually("the follower restarts from its own snapshot", cluster: cluster) {
            try await cluster.storedPaths(on: follower, prefix: "snap/") == expected
        }
    }

    @Test("every server stops promptly and cleanly on SIGTERM, even while its peers still run")
    func gracefulStop() async throws {
        let cluster = try ServerCluster(size: 3)
        defer { cluster.killAllNow() }
        try cluster.startAll()
        _ = try await cluster.waitForLeader()
        #expect(await Self.put(cluster, on: 0, path: "stop/a", value: "1") != nil)
        let started = ContinuousClock.now
        // One at a time: the first stops while both peers keep their streams to it open.
        for index in 0..<3 {
            let status = await cluster.process(index)?.stop()
            #expect(status == 0, "server \(index) exited with \(String(describing: status))\n\(cluster.logs)")
        }
        #expect(ContinuousClock.now - started < .seconds(15))
        #expect(!cluster.logs.contains("[ERROR]"), "\(cluster.logs)")
    }

    @Test("ctl operator lists peers, transfers leadership, and saves, inspects and restores a snapshot")
    func operatorCommands() async throws {
        let cluster = try ServerCluster(size: 3)
        defer { cluster.killAllNow() }
        try cluster.startAll()
        let leader = try await cluster.waitForLeader()
        let ctl = BuiltProducts.path("ctl")
        let connection = [
            "-address", cluster.slots[(leader + 1) % 3].rpcAddress.description,
            "-ca-cert", cluster.certs.path("ca.pem"), "-client-cert", cluster.certs.path("cli.pem"),
            "-client-key", cluster.certs.path("cli-key.pem"),
        ]
        func run(_ arguments: [String]) async throws -> CommandResult {
            try await runCommand(ctl, Array(arguments.prefix(3)) + connection + Array(arguments.dropFirst(3)))
        }

        let peers = try await run(["operator", "raft", "list-peers"])
        #expect(peers.status == 0, "\(peers.stderr)")
        #expect(peers.stdout.components(separatedBy: "leader").count - 1 == 1)
        #expect(peers.stdout.split(separator: "\n").count == 4)
        #expect(!peers.stdout.contains("false"))

        let transfer = try await run(["operator", "raft", "transfer-leadership"])
        #expect(transfer.status == 0, "\(transfer.stderr)")
        let newLeader = try await cluster.waitForLeader(excluding: leader)
        #expect(newLeader != leader)

        #expect(try await run(["var", "put", "keep/a", "x=1"]).status == 0)
        let file = "\(cluster.root)/state.snap"
        let save = try await run(["operator", "snapshot", "save", file])
        #expect(save.status == 0, "\(save.stderr)")
        let inspect = try await runCommand(ctl, ["operator", "snapshot", "inspect", file])
        #expect(inspect.stdout.contains("Table variables  1"), "\(inspect.stdout)")

        #expect(try await run(["var", "put", "gone/b", "y=2"]).status == 0)
        let restore = try await run(["operator", "snapshot", "restore", file])
        #expect(restore.status == 0, "\(restore.stderr)")
        #expect(try await run(["var", "get", "keep/a"]).status == 0)
        let gone = try await run(["var", "get", "gone/b"])
        #expect(gone.status == 1 && gone.stderr.contains("not found"), "\(gone.stderr)")

        // A damaged file is refused before anything is sent.
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
        bytes[bytes.count - 1] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: file + ".bad"))
        let damaged = try await run(["operator", "snapshot", "restore", file + ".bad"])
        #expect(damaged.status != 0 && damaged.stderr.contains("checksum"), "\(damaged.stderr)")
    }
}

/// Polls `condition` for up to 30 seconds; records `description` and the servers' logs if it never holds.
func expectEventually(
    _ description: String, cluster: ServerCluster, _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + .seconds(30)
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return }
        try await Task.sleep(for: .milliseconds(200))
    }
    Issue.record("never true: \(description)\n\(cluster.logs)")
}

/// A value shared by test tasks.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        mutex = Mutex(value)
    }

    func withLock<Result>(_ body: (inout Value) -> Result) -> Result {
        mutex.withLock { body(&$0) }
    }
}
