import CaravanProto
import CaravanRPC
import Foundation
import Scheduler
import State
import SwiftProtobuf
import Testing

/// Drain commands as the state machine applies them: the strategy, eligibility, node events, merged
/// transitions and the evaluations stored with them.
@Suite("StateMachine: node drains and allocation transitions")
struct NodeDrainStateTests {
    typealias Support = ClusterStateTests

    static func drainStrategy(deadline: Int64 = 60) -> Caravan_V1_DrainStrategy {
        .with {
            $0.spec.deadline = .init(seconds: deadline)
            $0.startedAt = .init(date: Support.time)
            $0.forceDeadline = .init(date: Support.time.addingTimeInterval(TimeInterval(deadline)))
        }
    }

    /// A machine with node n1 registered (index 1) and an allocation "a1" of job "api" on it (index 2).
    static func machine() throws -> StateMachine {
        let machine = StateMachine()
        _ = machine.apply(
            entryData: try Support.entry { $0.registerNode = .with { $0.node = Support.node("n1") } }, index: 1)
        var alloc = Caravan_V1_Allocation()
        alloc.id = "a1"
        alloc.namespace = "default"
        alloc.jobID = "api"
        alloc.nodeID = "n1"
        alloc.desiredStatus = .run
        alloc.clientStatus = .running
        var plan = Caravan_V1_Plan()
        plan.nodeAllocation["n1"] = .with { $0.allocations = [alloc] }
        _ = machine.apply(entryData: try Support.entry { $0.applyPlan = .with { $0.plan = plan } }, index: 2)
        return machine
    }

    @Test("a drain strategy makes the node ineligible and records the event; a cancel restores eligibility on ask")
    func setAndCancel() throws {
        let machine = try Self.machine()
        let changes = Changes()
        machine.changeObserver = { changes.append($0) }
        let set = machine.apply(
            entryData: try Support.entry {
                $0.updateNodeDrain = .with {
                    $0.nodeID = "n1"
                    $0.drainStrategy = Self.drainStrategy()
                    $0.event = "Node drain strategy set"
                }
            }, index: 3)
        #expect(set.refusal == nil)
        let draining = try #require(machine.cluster.nodes["n1"])
        #expect(draining.drainStrategy == Self.drainStrategy())
        #expect(draining.schedulingEligibility == .ineligible)
        #expect(draining.modifyIndex == 3)
        #expect(draining.events.last?.message == "Node drain strategy set")
        #expect(draining.events.last?.subsystem == "Drain")
        #expect(machine.cluster.schedulableByPool["default"]?.isEmpty ?? true)
        #expect(changes.all.last?.capacityChanged == false)
        #expect(changes.all.last?.nodeIDs == ["n1"])

        let eval = Support.eval("e-system", job: "agent")
        _ = machine.apply(
            entryData: try Support.entry {
                $0.updateNodeDrain = .with {
                    $0.nodeID = "n1"
                    $0.markEligible = true
                    $0.event = "Node drain strategy unset"
                    $0.evals = [eval]
                }
            }, index: 4)
        let cancelled = try #require(machine.cluster.nodes["n1"])
        #expect(!cancelled.hasDrainStrategy)
        #expect(cancelled.schedulingEligibility == .eligible)
        #expect(cancelled.events.last?.message == "Node drain strategy unset")
        #expect(machine.cluster.evals["e-system"]?.createIndex == 4)
        #expect(machine.cluster.schedulableByPool["default"]?.map(\.id) == ["n1"])
        #expect(changes.all.last?.capacityChanged == true)
        #expect(changes.all.last?.evals.map(\.id) == ["e-system"])
    }

    @Test("a completed drain (no strategy, not marked eligible) leaves the node ineligible")
    func completeKeepsIneligible() throws {
        let machine = try Self.machine()
        _ = machine.apply(
            entryData: try Support.entry {
                $0.updateNodeDrain = .with {
                    $0.nodeID = "n1"; $0.drainStrategy = Self.drainStrategy()
                }
            }, index: 3)
        _ = machine.apply(
            entryData: try Support.entry {
                $0.updateNodeDrain = .with {
                    $0.nodeID = "n1"; $0.event = "Node drain complete"
                }
            }, index: 4)
        let node = try #require(machine.cluster.nodes["n1"])
        #expect(!node.hasDrainStrategy)
        #expect(node.schedulingEligibility == .ineligible)
        #expect(node.events.map(\.message).suffix(1) == ["Node drain complete"])
    }

    @Test("a drain for an unknown node is refused and changes nothing")
    func unknownNode() throws {
        let machine = try Self.machine()
        let before = machine.cluster.nodes["n1"]
        let refused = machine.apply(
            entryData: try Support.entry {
                $0.updateNodeDrain = .with {
                    $0.nodeID = "nope"; $0.drainStrategy = Self.drainStrategy()
                    $0.evals = [Support.eval("e1", job: "api")]
                }
            }, index: 3)
        #expect(refused.refusal?.code == .notFound)
        #expect(machine.cluster.evals["e1"] == nil)
        #expect(machine.cluster.nodes["n1"] == before)
        #expect(machine.cluster.nodes["nope"] == nil)
    }

    @Test("transitions merge into allocations (a set flag stays set), skip unknown ones and store the evaluations")
    func transitions() throws {
        let machine = try Self.machine()
        _ = machine.apply(
            entryData: try Support.entry {
                $0.allocTransitions = .with {
                    $0.transitions = [
                        "a1": .with { $0.noShutdownDelay = true },
                        "gone": .with { $0.migrate = true },
                    ]
                }
            }, index: 3)
        let eval = Support.eval("e-drain", job: "api")
        _ = machine.apply(
            entryData: try Support.entry {
                $0.allocTransitions = .with {
                    $0.transitions = ["a1": .with { $0.migrate = true }]
                    $0.evals = [eval]
                }
            }, index: 4)
        let alloc = try #require(machine.cluster.allocs["a1"])
        #expect(alloc.desiredTransition.migrate)
        #expect(alloc.desiredTransition.noShutdownDelay)
        #expect(alloc.modifyIndex == 4)
        #expect(machine.cluster.allocs["gone"] == nil)
        #expect(machine.cluster.evals["e-drain"]?.jobID == "api")
        #expect(machine.cluster.index(of: [.allocs]) == 4)
        // The same transition again changes nothing on the allocation.
        _ = machine.apply(
            entryData: try Support.entry {
                $0.allocTransitions = .with { $0.transitions = ["a1": .with { $0.migrate = true }] }
            }, index: 5)
        #expect(machine.cluster.allocs["a1"]?.modifyIndex == 4)
    }

    @Test("a drain strategy survives a snapshot and restore, and a re-registration")
    func snapshotAndReregister() throws {
        let machine = try Self.machine()
        let node = try #require(machine.cluster.nodes["n1"])
        _ = machine.apply(
            entryData: try Support.entry {
                $0.updateNodeDrain = .with {
                    $0.nodeID = "n1"; $0.drainStrategy = Self.drainStrategy()
                }
            }, index: 3)
        let restored = StateMachine()
        try restored.restore(from: try machine.snapshot())
        #expect(restored.cluster.nodes["n1"]?.drainStrategy == Self.drainStrategy())
        #expect(restored.cluster.nodes["n1"]?.schedulingEligibility == .ineligible)
        _ = restored.apply(entryData: try Support.entry { $0.registerNode = .with { $0.node = node } }, index: 4)
        #expect(restored.cluster.nodes["n1"]?.drainStrategy == Self.drainStrategy())
        #expect(restored.cluster.nodes["n1"]?.schedulingEligibility == .ineligible)
    }

    @Test("drain meta lands in the event's details; completing a drain that was restarted meanwhile is refused")
    func metaAndStaleCompletion() throws {
        let machine = try Self.machine()
        _ = machine.apply(
            entryData: try Support.entry {
                $0.updateNodeDrain = .with {
                    $0.nodeID = "n1"
                    $0.drainStrategy = Self.drainStrategy()
                    $0.event = "Node drain strategy set"
                    $0.eventDetails = ["message": "kernel upgrade"]
                }
            }, index: 3)
        #expect(machine.cluster.nodes["n1"]?.events.last?.details == ["message": "kernel upgrade"])
        var older = Self.drainStrategy().startedAt
        older.seconds -= 30
        let stale = machine.apply(
            entryData: try Support.entry {
                $0.updateNodeDrain = .with {
                    $0.nodeID = "n1"
                    $0.event = "Node drain complete"
                    $0.onlyIfStartedAt = older
                }
            }, index: 4)
        #expect(stale.refusal?.message.contains("drain changed since it was judged complete") == true)
        #expect(machine.cluster.nodes["n1"]?.drainStrategy == Self.drainStrategy(), "the running drain is kept")
        let current = machine.apply(
            entryData: try Support.entry {
                $0.updateNodeDrain = .with {
                    $0.nodeID = "n1"
                    $0.event = "Node drain complete"
                    $0.onlyIfStartedAt = Self.drainStrategy().startedAt
                }
            }, index: 5)
        #expect(current.refusal == nil)
        #expect(machine.cluster.nodes["n1"]?.hasDrainStrategy == false)
        #expect(machine.cluster.nodes["n1"]?.schedulingEligibility == .ineligible)
    }
}
