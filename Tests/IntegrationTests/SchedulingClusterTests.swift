import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import TestSupport
import Testing

/// Jobs scheduled by three real serverd processes onto simulated nodes: placement, lost-node replacement and
/// a leader killed while it schedules.
@Suite("Scheduling on a real serverd cluster", .serialized, .timeLimit(.minutes(5)))
struct SchedulingClusterTests {
    static let fastHeartbeats = ["-min-heartbeat-ttl", "1s", "-heartbeat-grace", "1s"]

    static func job(_ id: String, count: Int32, cpu: Int64 = 500) -> Caravan_V1_Job {
        var job = Caravan_V1_Job()
        job.id = id
        job.name = id
        job.type = .service
        job.datacenters = ["dc1"]
        var group = Caravan_V1_TaskGroup()
        group.name = "web"
        group.count = count
        var task = Caravan_V1_Task()
        task.name = "server"
        task.driver = "raw_exec"
        task.config = .init(fields: [
            "command": .init(stringValue: "/bin/sleep"),
            "args": .init(listValue: .init(values: [.init(stringValue: "600")])),
        ])
        task.resources.cpuMhz = cpu
        task.resources.memoryMb = 128
        group.tasks = [task]
        job.taskGroups = [group]
        return job
    }

    static func withJobs<Result: Sendable>(
        _ cluster: ServerCluster, _ index: Int,
        _ body: (Caravan_V1_Jobs.Client<HTTP2ClientTransport.Posix>) async throws -> Result
    ) async throws -> Result {
        try await cluster.dialer.withClient(cluster.slots[index].rpcAddress) {
            try await body(Caravan_V1_Jobs.Client(wrapping: $0))
        }
    }

    /// The job's allocations that are meant to run, read with blocking queries until `done` holds.
    static func waitForAllocations(
        _ cluster: ServerCluster, on index: Int, job: String, timeout: Duration = .seconds(60),
        until done: ([Caravan_V1_AllocationListStub]) -> Bool
    ) async throws -> [Caravan_V1_AllocationListStub] {
        let deadline = ContinuousClock.now + timeout
        var minIndex: UInt64 = 0
        while ContinuousClock.now < deadline {
            let response = try? await withJobs(cluster, index) { jobs in
                try await jobs.allocations(
                    .with {
                        $0.jobID = job
                        $0.query.minIndex = minIndex
                        $0.query.maxWait = .init(seconds: 2)
                    })
            }
            if let response {
                let live = response.allocations.filter { $0.desiredStatus == .run && $0.clientStatus != .lost }
                if done(live) { return live }
                minIndex = response.meta.index
            } else {
                minIndex = 0
            }
        }
        throw CaravanError.unavailable("allocations of \(job) did not reach the expected state in time")
    }

    @Test(
        "a job placed on registered nodes; a node that stops heartbeating is marked down and its allocations replaced")
    func lostNodeReplacement() async throws {
        let cluster = try ServerCluster(size: 3, extraFlags: Self.fastHeartbeats)
        defer { cluster.killAllNow() }
        try cluster.startAll()
        _ = try await cluster.waitForLeader()
        let servers = cluster.slots.map(\.rpcAddress)
        let nodes = try (0..<3).map { try SimulatedNode(name: "node-\($0)", certs: cluster.certs) }
        var beats: [String: Task<Void, Never>] = [:]
        for (offset, node) in nodes.enumerated() {
            let registered = try await node.register(on: servers[offset])
            #expect(registered.heartbeatTtl.seconds >= 1)
            beats[node.node.id] = Task { await node.heartbeatForever(servers: servers) }
        }
        defer { for beat in beats.values { beat.cancel() } }

        // Registered through a follower or the leader alike.
        let registered = try await Self.withJobs(cluster, 1) {
            try await $0.register(.with { $0.job = Self.job("api", count: 4) })
        }
        #expect(!registered.evalID.isEmpty)
        let placed = try await Self.waitForAllocations(cluster, on: 2, job: "api") { $0.count == 4 }
        #expect(Set(placed.map(\.name)) == ["api.web[0]", "api.web[1]", "api.web[2]", "api.web[3]"])

        // The node with the most allocations goes silent.
        let victim = Dictionary(grouping: placed, by: \.nodeID).max { $0.value.count < $1.value.count }?.key ?? ""
        beats[victim]?.cancel()
        let replaced = try await Self.waitForAllocations(cluster, on: 0, job: "api") { live in
            live.count == 4 && !live.contains { $0.nodeID == victim }
        }
        #expect(Set(replaced.map(\.name)).count == 4, "names stay unique: \(replaced.map(\.name))")
        let node = try await cluster.dialer.withClient(servers[0]) { client in
            try await Caravan_V1_Nodes.Client(wrapping: client).get(.with { $0.nodeID = victim })
        }
        #expect(node.node.status == .down)
        let all = try await Self.withJobs(cluster, 0) { try await $0.allocations(.with { $0.jobID = "api" }) }
        let lost = all.allocations.filter { $0.nodeID == victim }
        #expect(!lost.isEmpty && lost.allSatisfy { $0.clientStatus == .lost && $0.desiredStatus == .stop })
        #expect(lost.allSatisfy { !$0.nextAllocation.isEmpty })
    }

    @Test("kill -9 of the leader while it schedules: every job ends with exactly its count, nothing placed twice")
    func leaderKilledMidScheduling() async throws {
        let cluster = try ServerCluster(size: 3, extraFlags: ["-min-heartbeat-ttl", "30s"])
        defer { cluster.killAllNow() }
        try cluster.startAll()
        let leader = try await cluster.waitForLeader()
        let servers = cluster.slots.map(\.rpcAddress)
        let nodes = try (0..<4).map { try SimulatedNode(name: "node-\($0)", certs: cluster.certs) }
        for node in nodes { _ = try await node.register(on: servers[(leader + 1) % 3]) }

        let survivors = (0..<3).filter { $0 != leader }
        let jobCount = 24
        try await withThrowingTaskGroup(of: Void.self) { group in
            for number in 0..<jobCount {
                group.addTask {
                    // Submitted to surviving servers, retried while the election runs.
                    var attempt = 0
                    while true {
                        do {
                            _ = try await Self.withJobs(cluster, survivors[attempt % 2]) {
                                try await $0.register(.with { $0.job = Self.job("job-\(number)", count: 3, cpu: 100) })
                            }
                            return
                        } catch {
                            attempt += 1
                            if attempt > 200 { throw error }
                            try await Task.sleep(for: .milliseconds(100))
                        }
                    }
                }
                if number == jobCount / 2 { await cluster.kill(leader) }
            }
            try await group.waitForAll()
        }
        _ = try await cluster.waitForLeader()
        for number in 0..<jobCount {
            let live = try await Self.waitForAllocations(cluster, on: survivors[0], job: "job-\(number)") {
                $0.count >= 3
            }
            #expect(live.count == 3, "job-\(number) has \(live.count) live allocations")
            #expect(Set(live.map(\.name)).count == 3, "job-\(number) placed an index twice: \(live.map(\.name))")
        }
        // Every evaluation ends: none stays stuck on the dead leader's broker. (A registration retried after the
        // kill may have committed twice; its second evaluation finishes a moment later.)
        var unfinished: [Caravan_V1_Evaluation] = []
        var minIndex: UInt64 = 0
        let deadline = ContinuousClock.now + .seconds(30)
        repeat {
            let evals = try await cluster.dialer.withClient(servers[survivors[0]]) { client in
                try await Caravan_V1_Evaluations.Client(wrapping: client).list(
                    .with {
                        $0.query.minIndex = minIndex
                        $0.query.maxWait = .init(seconds: 2)
                    })
            }
            unfinished = evals.evaluations.filter { $0.status == .pending }
            minIndex = evals.meta.index
        } while !unfinished.isEmpty && ContinuousClock.now < deadline
        #expect(unfinished.isEmpty, "pending evaluations: \(unfinished.map(\.jobID))")
    }

    @Test("a node's watch is pushed its allocations with their job; bad registrations and wrong secrets change nothing")
    func nodeWatchAndBadInput() async throws {
        let cluster = try ServerCluster(size: 1)
        defer { cluster.killAllNow() }
        try cluster.startAll()
        _ = try await cluster.waitForLeader()
        let server = cluster.slots[0].rpcAddress
        let node = try SimulatedNode(name: "watched", certs: cluster.certs)
        _ = try await node.register(on: server)

        var bad = node.node
        bad.id = "not an id!"
        bad.resources.cpuMhz = 0
        do {
            _ = try await node.withNodes(server) { try await $0.register(.with { $0.node = bad }) }
            Issue.record("an invalid registration was accepted")
        } catch let error as CaravanError {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("node id") && error.message.contains("cpu"), "\(error.message)")
        }
        var impostor = node.node
        impostor.secretID = "someone-else"
        do {
            _ = try await node.withNodes(server) { try await $0.register(.with { $0.node = impostor }) }
            Issue.record("a node id was taken over with another secret")
        } catch let error as CaravanError {
            #expect(error.code == .permissionDenied)
        }
        do {
            _ = try await node.withNodes(server) { nodes in
                try await nodes.heartbeat(
                    .with {
                        $0.nodeID = node.node.id; $0.secretID = "wrong-secret"
                    })
            }
            Issue.record("a heartbeat with the wrong secret was accepted")
        } catch let error as CaravanError {
            #expect(error.code == .permissionDenied)
        }

        let updates = try await node.withNodes(server) { nodes in
            try await nodes.watchAllocations(
                .with {
                    $0.nodeID = node.node.id
                    $0.secretID = node.node.secretID
                }
            ) { response in
                var seen: [Caravan_V1_AllocationUpdates] = []
                for try await update in response.messages {
                    seen.append(update)
                    if seen.count == 1 {
                        // The first message is the snapshot (empty); now give the node work.
                        _ = try await Self.withJobs(cluster, 0) {
                            try await $0.register(.with { $0.job = Self.job("watched-job", count: 2) })
                        }
                    }
                    if seen.flatMap(\.allocations).count >= 2 { break }
                }
                return seen
            }
        }
        #expect(updates.first?.snapshot == true && updates.first?.allocations.isEmpty == true)
        let pushed = updates.dropFirst().flatMap(\.allocations)
        #expect(pushed.count == 2)
        #expect(
            pushed.allSatisfy { $0.job.id == "watched-job" && $0.desiredStatus == .run && $0.nodeID == node.node.id })
    }
}
