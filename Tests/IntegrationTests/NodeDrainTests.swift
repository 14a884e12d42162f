import CaravanProto
import CaravanRPC
import Foundation
import SwiftProtobuf
import TestSupport
import Testing

/// `ctl node drain` against a real serverd and two real clientd running raw_exec `sleep` tasks.
@Suite("node drain with real servers and clients", .serialized, .timeLimit(.minutes(4)))
struct NodeDrainTests {
    /// A service job of `count` sleeping allocations; `pin` constrains it to one node.
    static func sleeper(_ id: String, count: Int, pin: String? = nil, type: String = "service") -> String {
        let constraint =
            pin.map { "constraint {\n      attribute = \"${node.unique.name}\"\n      value = \"\($0)\"\n    }" } ?? ""
        // Batch jobs take no migrate block (their allocations wait for the deadline).
        let migrate =
            type == "batch"
            ? ""
            : "migrate {\n      max_parallel     = 1\n      min_healthy_time = \"1s\"\n      healthy_deadline = \"30s\"\n    }"
        return """
            job "\(id)" {
              datacenters = ["dc1"]
              type        = "\(type)"
              group "g" {
                count = \(count)
                \(constraint)
                \(migrate)
                task "t" {
                  driver = "raw_exec"
                  config {
                    command = "/bin/sleep"
                    args    = ["300"]
                  }
                  resources {
                    cpu    = 50
                    memory = 32
                  }
                }
              }
            }
            """
    }

    static func live(_ allocs: [Caravan_V1_Allocation]) -> [Caravan_V1_Allocation] {
        allocs.filter { $0.desiredStatus == .run && $0.clientStatus == .running }
    }

    @Test("drain -enable -deadline 30s -yes moves the allocation to the other node; the node ends ineligible")
    func drainMovesAllocation() async throws {
        let cluster = try MultiClientCluster(clients: 2)
        defer { cluster.stopAll() }
        try await cluster.start()
        try await cluster.run(job: "web", Self.sleeper("web", count: 2))
        let drained = try await cluster.nodeID("client-1")
        let other = try await cluster.nodeID("client-0")
        let placed = try await cluster.waitForAllocations(job: "web") { allocs in
            Set(Self.live(allocs).map(\.nodeID)).count == 2
        }
        let moving = try #require(placed.first { $0.nodeID == drained })

        let refused = try await cluster.ctl(["node", "drain"], ["-enable", drained])
        #expect(refused.status == 64, "stdin is no terminal: \(refused.stderr)")
        #expect(refused.stderr.contains("pass -yes"))
        #expect(try await cluster.node(drained).hasDrainStrategy == false, "a refused drain changes nothing")

        let result = try await cluster.ctl(["node", "drain"], ["-enable", "-deadline", "30s", "-yes", drained])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("Node \"\(drained)\" drain strategy set"))
        #expect(result.stdout.contains("Alloc \"\(moving.id.prefix(8))\" (web.g["), "\(result.stdout)")
        #expect(result.stdout.contains("marked for migration"), "\(result.stdout)")
        #expect(result.stdout.contains("Drain complete for node \"\(drained)\""), "\(result.stdout)")

        let after = try await cluster.waitForAllocations(job: "web") { allocs in
            allocs.contains { $0.previousAllocation == moving.id && $0.clientStatus == .running }
                && allocs.contains { $0.id == moving.id && $0.clientStatus == .complete }
        }
        let stopped = try #require(after.first { $0.id == moving.id })
        #expect(stopped.desiredStatus == .stop)
        #expect(stopped.desiredTransition.migrate)
        let replacement = try #require(after.first { $0.previousAllocation == moving.id })
        #expect(replacement.nodeID == other)
        #expect(Self.live(after).count == 2)
        #expect(Self.live(after).allSatisfy { $0.nodeID == other })

        let node = try await cluster.node(drained)
        #expect(!node.hasDrainStrategy)
        #expect(node.schedulingEligibility == .ineligible)
        let messages = node.events.map(\.message)
        #expect(messages.contains("Node drain strategy set"), "\(messages)")
        #expect(messages.last == "Node drain complete", "\(messages)")
        let status = try await cluster.ctl(["node", "status"], [drained])
        #expect(status.stdout.contains("Node drain complete"), "\(status.stdout)")
    }

    @Test("at the deadline the allocations that could not move are stopped, and the drain completes")
    func deadlineStopsTheRest() async throws {
        let cluster = try MultiClientCluster(clients: 2)
        defer { cluster.stopAll() }
        try await cluster.start()
        // Pinned to client-0: a replacement can never be placed, so the first migration stays in flight.
        try await cluster.run(job: "pinned", Self.sleeper("pinned", count: 2, pin: "client-0"))
        let drained = try await cluster.nodeID("client-0")
        _ = try await cluster.waitForAllocations(job: "pinned") { Self.live($0).count == 2 }

        let started = ContinuousClock.now
        let result = try await cluster.ctl(
            ["node", "drain"], ["-enable", "-deadline", "4s", "-detach", "-yes", drained])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("drain strategy set"))
        let firstMoved = try await cluster.waitForAllocations(job: "pinned") { allocs in
            allocs.contains { $0.desiredStatus == .stop }
        }
        let waited = ContinuousClock.now - started
        #expect(firstMoved.filter { $0.desiredTransition.migrate }.count == 1, "max_parallel 1 before the deadline")
        let held = try #require(firstMoved.first { !$0.desiredTransition.migrate })
        #expect(held.desiredStatus == .run, "\(firstMoved.map(MultiClientCluster.summary))")
        #expect(waited < .seconds(4), "the first migration is not held for the deadline")

        let done = try await cluster.waitForAllocations(job: "pinned", timeout: .seconds(30)) { allocs in
            allocs.filter { $0.nodeID == drained }.allSatisfy {
                $0.desiredStatus == .stop && $0.clientStatus != .running
            }
        }
        #expect(ContinuousClock.now - started >= .seconds(4), "the held allocation waits for the deadline")
        #expect(done.first { $0.id == held.id }?.desiredTransition.migrate == true)
        try await waitForDrainEnd(cluster, drained)
        let node = try await cluster.node(drained)
        #expect(node.schedulingEligibility == .ineligible)
        #expect(node.events.last?.message == "Node drain complete")
    }

    @Test("-disable cancels a drain, makes the node eligible again, and a refused request changes nothing")
    func disable() async throws {
        let cluster = try MultiClientCluster(clients: 1)
        defer { cluster.stopAll() }
        try await cluster.start()
        // A batch allocation is left to finish until the deadline, so with no deadline the drain stays in progress.
        try await cluster.run(job: "pinned", Self.sleeper("pinned", count: 1, pin: "client-0", type: "batch"))
        let nodeID = try await cluster.nodeID("client-0")
        _ = try await cluster.waitForAllocations(job: "pinned") { Self.live($0).count == 1 }

        let negative = try await cluster.withNodes { nodes in
            try? await nodes.drain(
                .with {
                    $0.nodeID = nodeID
                    $0.drainSpec.deadline = .init(seconds: -5)
                })
        }
        #expect(negative == nil)
        #expect(try await cluster.node(nodeID).hasDrainStrategy == false)
        let unknown = try await cluster.ctl(["node", "drain"], ["-enable", "-yes", "ffffffff-nope"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("ffffffff-nope"), "\(unknown.stderr)")

        // No deadline: the batch allocation keeps the drain in progress until it is cancelled.
        let set = try await cluster.ctl(["node", "drain"], ["-enable", "-no-deadline", "-detach", "-yes", nodeID])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(try await cluster.node(nodeID).schedulingEligibility == .ineligible)
        let status = try await cluster.ctl(["node", "status"], [nodeID])
        #expect(status.stdout.contains("Drain Deadline           = none"), "\(status.stdout)")
        let cancel = try await cluster.ctl(["node", "drain"], ["-disable", "-yes", nodeID])
        #expect(cancel.status == 0, "\(cancel.stderr)")
        #expect(cancel.stdout.contains("drain strategy unset"))
        let node = try await cluster.node(nodeID)
        #expect(!node.hasDrainStrategy)
        #expect(node.schedulingEligibility == .eligible)
        #expect(node.events.last?.message == "Node drain strategy unset")
        let monitor = try await cluster.ctl(["node", "drain"], ["-monitor", nodeID])
        #expect(monitor.status == 0)
        #expect(monitor.stdout.contains("No drain strategy set"))
    }

    @Test("max_parallel paces a drain: the second allocation moves only once the first replacement is healthy")
    func pacedByHealth() async throws {
        // Needs clients to report migrate health (deployment_status.healthy after min_healthy_time).
        let cluster = try MultiClientCluster(clients: 2)
        defer { cluster.stopAll() }
        try await cluster.start()
        let drained = try await cluster.nodeID("client-0")
        let other = try await cluster.nodeID("client-1")
        _ = try await cluster.withNodes { try await $0.setEligibility(.with { $0.nodeID = other }) }
        try await cluster.run(job: "web", Self.sleeper("web", count: 2))
        _ = try await cluster.waitForAllocations(job: "web") { Self.live($0).count == 2 }
        _ = try await cluster.withNodes {
            try await $0.setEligibility(
                .with {
                    $0.nodeID = other
                    $0.eligible = true
                })
        }
        let result = try await cluster.ctl(
            ["node", "drain"], ["-enable", "-deadline", "60s", "-detach", "-yes", drained])
        #expect(result.status == 0, "\(result.stderr)")
        let secondMarked = try await cluster.waitForAllocations(job: "web", timeout: .seconds(45)) { allocs in
            allocs.filter { $0.nodeID == drained && $0.desiredTransition.migrate }.count == 2
        }
        let replacements = secondMarked.filter { !$0.previousAllocation.isEmpty }
        #expect(replacements.contains { $0.nodeID == other && $0.deploymentStatus.healthy })
        try await waitForDrainEnd(cluster, drained)
    }

    /// Follows the node with blocking queries until its drain has ended.
    func waitForDrainEnd(_ cluster: MultiClientCluster, _ nodeID: String) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        var index: UInt64 = 0
        while ContinuousClock.now < deadline {
            let seen = index
            let response = try await cluster.withNodes { nodes in
                try await nodes.get(
                    .with {
                        $0.nodeID = nodeID
                        $0.query.minIndex = seen
                        $0.query.maxWait = .init(seconds: 1)
                    })
            }
            if !response.node.hasDrainStrategy { return }
            index = response.meta.index
        }
        throw WaitTimeout(what: "the drain of \(nodeID) to end")
    }
}
