import CaravanProto
import Foundation
import State
import Testing

@testable import CaravanServer

/// The drainer's decisions, table by table: pacing by `migrate.max_parallel`, batch left to finish, system jobs
/// last, the deadline, and completion.
@Suite("drain planner")
struct DrainPlannerTests {
    typealias JobRef = DrainStep.JobRef

    /// Nodes n1 (to drain) and n2, and a service job "web" of `count` allocations w0... on n1.
    static func serviceBed(count: Int32 = 3, maxParallel: Int32? = nil) throws -> DrainBed {
        let bed = DrainBed()
        try bed.node("n1")
        try bed.node("n2")
        try bed.job("web", count: count, maxParallel: maxParallel)
        for index in 0..<Int(count) { try bed.alloc("w\(index)", job: "web", index: index, node: "n1") }
        return bed
    }

    @Test("nothing drains on nodes without a drain strategy")
    func notDraining() throws {
        let bed = try Self.serviceBed()
        #expect(bed.next() == DrainStep())
    }

    @Test("max_parallel 1: one allocation at a time; the next only once the replacement is healthy")
    func pacing() throws {
        let bed = try Self.serviceBed()
        try bed.drain("n1")
        let first = bed.next()
        #expect(first.migrate == ["w0"])
        #expect(first.jobs == [JobRef(namespace: "default", id: "web")])
        #expect(first.complete.isEmpty)
        try bed.mark(first)
        #expect(bed.next().isEmpty, "marked but not yet replaced: in flight")
        try bed.replace("w0", with: "r0", on: "n2")
        #expect(bed.next().isEmpty, "replacement placed but not healthy")
        try bed.report("r0", .running, healthy: false)
        #expect(bed.next().isEmpty, "an unhealthy replacement still holds the slot")
        try bed.report("r0", .running, healthy: true)
        #expect(bed.next().migrate == ["w1"])
    }

    @Test("max_parallel 2 marks two at once and the third after one replacement is healthy")
    func maxParallelTwo() throws {
        let bed = try Self.serviceBed(maxParallel: 2)
        try bed.drain("n1")
        let first = bed.next()
        #expect(first.migrate == ["w0", "w1"])
        try bed.mark(first)
        try bed.replace("w0", with: "r0", on: "n2")
        try bed.replace("w1", with: "r1", on: "n2")
        #expect(bed.next().isEmpty)
        try bed.report("r1", .running, healthy: true)
        #expect(bed.next().migrate == ["w2"])
    }

    @Test("migrations in flight count across every draining node of the group")
    func acrossNodes() throws {
        let bed = DrainBed()
        for node in ["n1", "n2", "n3"] { try bed.node(node) }
        try bed.job("web", count: 2)
        try bed.alloc("a", job: "web", index: 0, node: "n1")
        try bed.alloc("b", job: "web", index: 1, node: "n2")
        try bed.drain("n1")
        try bed.drain("n2")
        let first = bed.next()
        #expect(first.migrate == ["a"])
        try bed.mark(first)
        try bed.replace("a", with: "ra", on: "n3")
        #expect(bed.next().isEmpty)
        try bed.report("ra", .running, healthy: true)
        #expect(bed.next().migrate == ["b"])
    }

    @Test("a replacement that cannot be placed holds the group back; a stopped job does not")
    func unplacedReplacement() throws {
        let bed = try Self.serviceBed(count: 2)
        try bed.drain("n1")
        try bed.mark(bed.next())
        try bed.stop("w0")  // the scheduler stopped it but found no room for the replacement
        #expect(bed.next().isEmpty)
        try bed.job("web", count: 2, stop: true)
        #expect(bed.next().migrate == ["w1"])
    }

    @Test("batch allocations are left to finish until the deadline, then marked; the drain waits for them")
    func batchUntilDeadline() throws {
        let bed = DrainBed()
        try bed.node("n1")
        try bed.job("report", type: .batch)
        try bed.alloc("b0", job: "report", node: "n1")
        try bed.drain("n1", deadline: 60)
        #expect(bed.next(at: 59) == DrainStep())
        #expect(bed.next(at: 60).migrate == ["b0"])
        try bed.report("b0", .complete)
        #expect(bed.next(at: 30) == DrainStep(complete: ["n1"]))
    }

    @Test("system allocations are marked only once every other allocation on the node has stopped")
    func systemLast() throws {
        let bed = try Self.serviceBed(count: 1)
        try bed.job("agent", type: .system)
        try bed.alloc("s0", job: "agent", node: "n1")
        try bed.drain("n1")
        let first = bed.next()
        #expect(first.migrate == ["w0"])
        try bed.mark(first)
        try bed.replace("w0", with: "r0", on: "n2")
        #expect(bed.next().isEmpty, "told to stop but its client still runs it")
        try bed.report("w0", .complete)
        let second = bed.next()
        #expect(second.migrate == ["s0"])
        #expect(second.jobs == [JobRef(namespace: "default", id: "agent")])
        #expect(second.complete.isEmpty)
        try bed.mark(second)
        try bed.stop("s0")
        #expect(bed.next().isEmpty)
        try bed.report("s0", .complete)
        #expect(bed.next() == DrainStep(complete: ["n1"]))
    }

    @Test("with ignore_system_jobs system allocations are never marked and do not hold the drain")
    func ignoreSystem() throws {
        let bed = try Self.serviceBed(count: 1)
        try bed.job("agent", type: .system)
        try bed.alloc("s0", job: "agent", node: "n1")
        try bed.drain("n1", ignoreSystem: true)
        try bed.mark(bed.next())
        try bed.replace("w0", with: "r0", on: "n2")
        try bed.report("w0", .complete)
        #expect(bed.next() == DrainStep(complete: ["n1"]))
        #expect(bed.next(at: 7200).migrate.isEmpty, "not even at the deadline")
    }

    @Test(
        "at the deadline, or with force, everything left is marked at once (system too unless ignored)",
        arguments: [(false, false), (true, false), (false, true)])
    func deadline(force: Bool, ignoreSystem: Bool) throws {
        let bed = try Self.serviceBed(count: 3)
        try bed.job("report", type: .batch)
        try bed.alloc("b0", job: "report", node: "n1")
        try bed.job("agent", type: .system)
        try bed.alloc("s0", job: "agent", node: "n1")
        try bed.drain("n1", deadline: 60, force: force, ignoreSystem: ignoreSystem)
        let step = bed.next(at: force ? 0 : 60)
        let system: [String] = ignoreSystem ? [] : ["s0"]
        #expect(step.migrate == ["b0"] + system + ["w0", "w1", "w2"])
        #expect(step.jobs.map(\.id) == (ignoreSystem ? [] : ["agent"]) + ["report", "web"])
        #expect(step.complete.isEmpty)
    }

    @Test("a node with nothing left on it (or only finished allocations) is complete at once; no deadline is fine")
    func completion() throws {
        let bed = DrainBed()
        try bed.node("empty")
        try bed.node("n1")
        try bed.job("web")
        try bed.alloc("w0", job: "web", node: "n1")
        try bed.report("w0", .failed)
        try bed.drain("empty", deadline: nil)
        try bed.drain("n1", deadline: nil)
        #expect(bed.next() == DrainStep(complete: ["empty", "n1"]))
    }

    @Test("an allocation the client never started counts as stopped once it is told to stop")
    func pendingStopped() throws {
        let bed = try Self.serviceBed(count: 1)
        try bed.report("w0", .pending)
        try bed.drain("n1")
        try bed.mark(bed.next())
        try bed.replace("w0", with: "r0", on: "n2")
        #expect(bed.next() == DrainStep(complete: ["n1"]))
    }
}
