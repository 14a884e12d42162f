import CaravanProto
import CaravanRPC
import Foundation
import Scheduler
import State
import SwiftProtobuf
import Testing

/// The orchestrator's tables as the state machine applies job, node, plan and client commands.
@Suite("StateMachine: jobs, nodes, evaluations and allocations")
struct ClusterStateTests {
    static let time = Date(timeIntervalSince1970: 1_700_000_000)

    static func entry(_ fill: (inout Caravan_V1_StateCommand) -> Void) throws -> [UInt8] {
        var command = StateCommands.envelope(at: time)
        fill(&command)
        return try command.serializedBytes()
    }

    static func job(_ id: String, count: Int32 = 1, image: String = "v1") -> Caravan_V1_Job {
        var job = Caravan_V1_Job()
        job.id = id
        job.name = id
        job.namespace = "default"
        job.type = .service
        job.priority = 50
        job.datacenters = ["dc1"]
        var group = Caravan_V1_TaskGroup()
        group.name = "web"
        group.count = count
        var task = Caravan_V1_Task()
        task.name = "server"
        task.driver = "raw_exec"
        task.env = ["IMAGE": image]
        group.tasks = [task]
        job.taskGroups = [group]
        return job
    }

    static func eval(_ id: String, job: String, status: Caravan_V1_EvaluationStatus = .pending) -> Caravan_V1_Evaluation
    {
        var eval = Caravan_V1_Evaluation()
        eval.id = id
        eval.namespace = "default"
        eval.jobID = job
        eval.type = "service"
        eval.status = status
        return eval
    }

    static func register(_ machine: StateMachine, _ job: Caravan_V1_Job, eval: String, index: UInt64) throws
        -> Caravan_V1_StateCommandResult
    {
        machine.apply(
            entryData: try entry {
                $0.registerJob = Caravan_V1_RegisterJobCommand.with {
                    $0.job = job
                    $0.eval = Self.eval(eval, job: job.id)
                }
            }, index: index)
    }

    static func node(_ id: String, secret: String = "secret-\(UUID())") -> Caravan_V1_Node {
        var node = Caravan_V1_Node()
        node.id = id
        node.secretID = secret
        node.name = id
        node.datacenter = "dc1"
        node.resources.cpuMhz = 4000
        node.resources.memoryMb = 8192
        return node
    }

    @Test("a changed job makes a new version; the same job resubmitted keeps its version; six are kept")
    func jobVersions() throws {
        let machine = StateMachine()
        _ = try Self.register(machine, Self.job("api"), eval: "e1", index: 1)
        _ = try Self.register(machine, Self.job("api"), eval: "e2", index: 2)
        #expect(machine.cluster.job(namespace: "default", id: "api")?.version == 0)
        #expect(machine.cluster.job(namespace: "default", id: "api")?.jobModifyIndex == 1)
        for (offset, image) in ["v2", "v3", "v4", "v5", "v6", "v7", "v8"].enumerated() {
            _ = try Self.register(
                machine, Self.job("api", image: image), eval: "e\(offset + 3)", index: UInt64(offset + 3))
        }
        let current = try #require(machine.cluster.job(namespace: "default", id: "api"))
        #expect(current.version == 7)
        #expect(current.createIndex == 1 && current.modifyIndex == 9 && current.jobModifyIndex == 9)
        let versions = machine.cluster.jobVersions(namespace: "default", id: "api").map(\.version)
        #expect(versions == [2, 3, 4, 5, 6, 7])
        // The evaluation records the job modify index it was created for.
        #expect(machine.cluster.evals["e9"]?.jobModifyIndex == 9)
        #expect(machine.cluster.evaluations(namespace: "default", jobID: "api").count == 9)
    }

    @Test("a check index that does not match refuses the registration and changes nothing")
    func enforceIndex() throws {
        let machine = StateMachine()
        _ = try Self.register(machine, Self.job("api"), eval: "e1", index: 1)
        let refused = machine.apply(
            entryData: try Self.entry {
                $0.registerJob = Caravan_V1_RegisterJobCommand.with {
                    $0.job = Self.job("api", image: "v2")
                    $0.eval = Self.eval("e2", job: "api")
                    $0.enforceIndex = true
                    $0.jobModifyIndex = 5
                }
            }, index: 2)
        #expect(refused.refusal?.code == .failedPrecondition)
        #expect(machine.cluster.job(namespace: "default", id: "api")?.version == 0)
        #expect(machine.cluster.evals["e2"] == nil)
    }

    @Test("a plan creates allocations with indexes, links replacements and records the evaluation's outcome")
    func applyPlan() throws {
        let machine = StateMachine()
        _ = try Self.register(machine, Self.job("api", count: 2), eval: "e1", index: 1)
        var plan = Caravan_V1_Plan()
        plan.evalID = "e1"
        for (id, node) in [("a1", "n1"), ("a2", "n2")] {
            var alloc = Caravan_V1_Allocation()
            alloc.id = id
            alloc.namespace = "default"
            alloc.jobID = "api"
            alloc.nodeID = node
            alloc.taskGroup = "web"
            plan.nodeAllocation[node, default: Caravan_V1_PlanNodeAllocations()].allocations.append(alloc)
        }
        var done = Self.eval("e1", job: "api", status: .complete)
        done.createIndex = 99
        plan.evalUpdate = done
        _ = machine.apply(entryData: try Self.entry { $0.applyPlan = .with { $0.plan = plan } }, index: 2)
        let a1 = try #require(machine.cluster.allocs["a1"])
        #expect(a1.createIndex == 2 && a1.clientStatus == .pending && a1.desiredStatus == .run)
        #expect(machine.cluster.allocations(nodeID: "n2").map(\.id) == ["a2"])
        #expect(machine.cluster.evals["e1"]?.status == .complete)
        #expect(machine.cluster.evals["e1"]?.createIndex == 1, "the create index is the state's, not the plan's")

        // Node n1 lost: a1 stopped as lost and replaced by a3 on n2.
        var replace = Caravan_V1_Plan()
        replace.nodeUpdate["n1"] = .with {
            $0.stops = [
                .with {
                    $0.allocID = "a1"
                    $0.desiredStatus = .stop
                    $0.clientStatus = .lost
                    $0.desiredDescription = "node is down"
                }
            ]
        }
        var a3 = Caravan_V1_Allocation()
        a3.id = "a3"
        a3.namespace = "default"
        a3.jobID = "api"
        a3.nodeID = "n2"
        a3.previousAllocation = "a1"
        replace.nodeAllocation["n2"] = .with { $0.allocations = [a3] }
        _ = machine.apply(entryData: try Self.entry { $0.applyPlan = .with { $0.plan = replace } }, index: 3)
        let lost = try #require(machine.cluster.allocs["a1"])
        #expect(lost.desiredStatus == .stop && lost.clientStatus == .lost && lost.nextAllocation == "a3")
        #expect(machine.cluster.allocations(namespace: "default", jobID: "api").count == 3)
        #expect(machine.cluster.tableIndexes[.allocs] == 3)
    }

    @Test("a node re-registers only with its secret and keeps its eligibility")
    func nodeRegistration() throws {
        let machine = StateMachine()
        let node = Self.node("n1", secret: "first-secret")
        _ = machine.apply(entryData: try Self.entry { $0.registerNode = .with { $0.node = node } }, index: 1)
        _ = machine.apply(
            entryData: try Self.entry {
                $0.updateNodeEligibility = .with {
                    $0.nodeID = "n1"
                    $0.eligibility = .ineligible
                }
            }, index: 2)
        var impostor = node
        impostor.secretID = "other-secret"
        let refused = machine.apply(
            entryData: try Self.entry { $0.registerNode = .with { $0.node = impostor } }, index: 3)
        #expect(refused.refusal?.code == .permissionDenied)
        _ = machine.apply(entryData: try Self.entry { $0.registerNode = .with { $0.node = node } }, index: 4)
        let stored = try #require(machine.cluster.nodes["n1"])
        #expect(stored.status == .ready && stored.schedulingEligibility == .ineligible && stored.createIndex == 1)
        // A node that was never drained is not draining after it re-registers (a restarted clientd stays usable).
        #expect(!stored.hasDrainStrategy)
    }

    @Test("client updates change only allocations of the reporting node")
    func clientUpdates() throws {
        let machine = StateMachine()
        var plan = Caravan_V1_Plan()
        var alloc = Caravan_V1_Allocation()
        alloc.id = "a1"
        alloc.namespace = "default"
        alloc.jobID = "api"
        alloc.nodeID = "n1"
        plan.nodeAllocation["n1"] = .with { $0.allocations = [alloc] }
        _ = machine.apply(entryData: try Self.entry { $0.applyPlan = .with { $0.plan = plan } }, index: 1)
        for (node, status, index) in [("n2", Caravan_V1_AllocClientStatus.failed, UInt64(2)), ("n1", .running, 3)] {
            _ = machine.apply(
                entryData: try Self.entry {
                    $0.clientAllocUpdates = .with {
                        $0.nodeID = node
                        $0.updates = [
                            .with {
                                $0.allocID = "a1"; $0.clientStatus = status
                            }
                        ]
                    }
                }, index: index)
        }
        #expect(machine.cluster.allocs["a1"]?.clientStatus == .running)
        #expect(machine.cluster.allocs["a1"]?.modifyIndex == 3)
    }

    @Test("every table survives a snapshot and restore, byte for byte")
    func snapshotRoundTrip() throws {
        let machine = StateMachine()
        _ = try Self.register(machine, Self.job("api"), eval: "e1", index: 1)
        _ = try Self.register(machine, Self.job("api", image: "v2"), eval: "e2", index: 2)
        _ = machine.apply(entryData: try Self.entry { $0.registerNode = .with { $0.node = Self.node("n1") } }, index: 3)
        var plan = Caravan_V1_Plan()
        var alloc = Caravan_V1_Allocation()
        alloc.id = "a1"
        alloc.namespace = "default"
        alloc.jobID = "api"
        alloc.nodeID = "n1"
        alloc.jobVersion = 1
        plan.nodeAllocation["n1"] = .with { $0.allocations = [alloc] }
        _ = machine.apply(entryData: try Self.entry { $0.applyPlan = .with { $0.plan = plan } }, index: 4)
        let bytes = try machine.snapshot()

        let restored = StateMachine()
        try restored.restore(from: bytes)
        #expect(try restored.snapshot() == bytes)
        #expect(restored.cluster.jobVersions(namespace: "default", id: "api").map(\.version) == [0, 1])
        #expect(restored.cluster.allocations(nodeID: "n1").map(\.id) == ["a1"])
        #expect(restored.cluster.allocations(namespace: "default", jobID: "api").count == 1)
        #expect(restored.cluster.evaluations(namespace: "default", jobID: "api").count == 2)
        #expect(restored.cluster.tableIndexes[.allocs] == 4)
        #expect(restored.cluster.allocationWithJob(try #require(restored.cluster.allocs["a1"])).job.version == 1)
    }

    @Test("an unknown command is skipped when ignorable and refused loudly when not; neither changes the state")
    func unknownCommands() throws {
        let machine = StateMachine()
        var command = StateCommands.envelope(at: Self.time)
        command.ignorable = true
        // Field 99 is a command from a newer server: an unknown oneof member.
        var bytes: [UInt8] = try command.serializedBytes()
        bytes += [0x9A, 0x06, 0x00]
        let skipped = machine.apply(entryData: bytes, index: 1)
        #expect(skipped.refusal?.code == .unimplemented)
        command.ignorable = false
        var strict: [UInt8] = try command.serializedBytes()
        strict += [0x9A, 0x06, 0x00]
        let refused = machine.apply(entryData: strict, index: 2)
        #expect(refused.refusal?.code == .failedPrecondition)
        #expect(refused.refusal?.message.contains("upgrade") == true)
        #expect(machine.cluster.jobs.count == 0 && machine.lastAppliedIndex == 2)
    }

    @Test("each applied entry reports what it changed to the observer")
    func changeObserver() throws {
        let machine = StateMachine()
        let changes = Changes()
        machine.changeObserver = { changes.append($0) }
        _ = try Self.register(machine, Self.job("api"), eval: "e1", index: 1)
        _ = machine.apply(entryData: try Self.entry { $0.registerNode = .with { $0.node = Self.node("n1") } }, index: 2)
        let seen = changes.all
        #expect(seen.count == 2)
        #expect(seen[0].tables == [.jobs, .evals] && seen[0].evals.map(\.id) == ["e1"])
        #expect(seen[1].nodeIDs == ["n1"] && seen[1].capacityChanged)
    }
    @Test("each node's kept usage equals what its live allocations add up to, through plans, stops and reports")
    func nodeUsageKept() throws {
        let machine = StateMachine()
        func alloc(_ id: String, node: String, cpu: Int64, port: Int32) -> Caravan_V1_Allocation {
            var alloc = Caravan_V1_Allocation()
            alloc.id = id
            alloc.namespace = "default"
            alloc.jobID = "api"
            alloc.nodeID = node
            alloc.allocatedResources.tasks["t"] = .with {
                $0.cpuMhz = cpu
                $0.memoryMb = cpu * 2
            }
            alloc.allocatedResources.shared.networks = [.with { $0.ports = [.with { $0.value = port }] }]
            return alloc
        }
        var plan = Caravan_V1_Plan()
        plan.nodeAllocation["n1"] = .with {
            $0.allocations = [
                alloc("a1", node: "n1", cpu: 100, port: 8080), alloc("a2", node: "n1", cpu: 300, port: 9090),
            ]
        }
        plan.nodeAllocation["n2"] = .with { $0.allocations = [alloc("a3", node: "n2", cpu: 50, port: 8080)] }
        _ = machine.apply(entryData: try Self.entry { $0.applyPlan = .with { $0.plan = plan } }, index: 1)
        #expect(machine.cluster.usage(nodeID: "n1").cpuMhz == 400)
        #expect(machine.cluster.usage(nodeID: "n1").ports == [8080, 9090])

        var stop = Caravan_V1_Plan()
        stop.nodeUpdate["n1"] = .with {
            $0.stops = [
                .with {
                    $0.allocID = "a1"; $0.desiredStatus = .stop
                }
            ]
        }
        _ = machine.apply(entryData: try Self.entry { $0.applyPlan = .with { $0.plan = stop } }, index: 2)
        _ = machine.apply(
            entryData: try Self.entry {
                $0.clientAllocUpdates = .with {
                    $0.nodeID = "n2"
                    $0.updates = [
                        .with {
                            $0.allocID = "a3"; $0.clientStatus = .failed
                        }
                    ]
                }
            }, index: 3)
        // A second report of the same terminal state must not subtract twice.
        _ = machine.apply(
            entryData: try Self.entry {
                $0.clientAllocUpdates = .with {
                    $0.nodeID = "n2"
                    $0.updates = [
                        .with {
                            $0.allocID = "a3"; $0.clientStatus = .failed
                        }
                    ]
                }
            }, index: 4)
        for node in ["n1", "n2"] {
            var expected = NodeUsage()
            for alloc in machine.cluster.allocations(nodeID: node) where !alloc.isTerminal { expected.add(alloc) }
            #expect(machine.cluster.usage(nodeID: node) == expected, "node \(node)")
        }
        #expect(machine.cluster.usage(nodeID: "n1").cpuMhz == 300 && machine.cluster.usage(nodeID: "n2").cpuMhz == 0)
        let restored = StateMachine()
        try restored.restore(from: try machine.snapshot())
        #expect(restored.cluster.usage(nodeID: "n1") == machine.cluster.usage(nodeID: "n1"))
    }

    @Test("the schedulable node lists follow registrations, eligibility and status, per pool, sorted by id")
    func schedulableNodes() throws {
        let machine = StateMachine()
        var gpu = Self.node("n0")
        gpu.nodePool = "gpu"
        for (index, node) in [Self.node("n3"), Self.node("n1"), gpu, Self.node("n2")].enumerated() {
            _ = machine.apply(
                entryData: try Self.entry { $0.registerNode = .with { $0.node = node } }, index: UInt64(index + 1))
        }
        #expect(machine.cluster.schedulableByPool["default"]?.map(\.id) == ["n1", "n2", "n3"])
        #expect(machine.cluster.schedulableByPool["gpu"]?.map(\.id) == ["n0"])
        _ = machine.apply(
            entryData: try Self.entry {
                $0.updateNodeEligibility = .with {
                    $0.nodeID = "n2"; $0.eligibility = .ineligible
                }
            },
            index: 5)
        _ = machine.apply(
            entryData: try Self.entry {
                $0.updateNodeStatus = .with {
                    $0.nodeID = "n3"; $0.status = .down
                }
            }, index: 6)
        #expect(machine.cluster.schedulableByPool["default"]?.map(\.id) == ["n1"])
        _ = machine.apply(
            entryData: try Self.entry {
                $0.updateNodeEligibility = .with {
                    $0.nodeID = "n2"; $0.eligibility = .eligible
                }
            },
            index: 7)
        #expect(machine.cluster.schedulableByPool["default"]?.map(\.id) == ["n1", "n2"])
        #expect(machine.cluster.sortedNodes.map(\.id) == ["n0", "n1", "n2", "n3"])
        let restored = StateMachine()
        try restored.restore(from: try machine.snapshot())
        #expect(restored.cluster.schedulableByPool["default"]?.map(\.id) == ["n1", "n2"])
    }

    @Test("the plan verifier on the real state counts an in-place update once and a stop as freed capacity")
    func verifierOnKeptUsage() throws {
        let machine = StateMachine()
        var node = Self.node("n1")
        node.resources.cpuMhz = 1000
        _ = machine.apply(entryData: try Self.entry { $0.registerNode = .with { $0.node = node } }, index: 1)
        var existing = Caravan_V1_Allocation()
        existing.id = "a1"
        existing.namespace = "default"
        existing.jobID = "api"
        existing.nodeID = "n1"
        existing.allocatedResources.tasks["t"] = .with { $0.cpuMhz = 600 }
        var place = Caravan_V1_Plan()
        place.nodeAllocation["n1"] = .with { $0.allocations = [existing] }
        _ = machine.apply(entryData: try Self.entry { $0.applyPlan = .with { $0.plan = place } }, index: 2)
        let stored = try #require(machine.cluster.allocs["a1"])

        var inPlace = Caravan_V1_Plan()
        var updated = stored
        updated.jobVersion = 1
        inPlace.nodeAllocation["n1"] = .with { $0.allocations = [updated] }
        #expect(PlanVerifier.evaluate(plan: inPlace, state: machine.view).isFullyAccepted)

        var second = existing
        second.id = "a2"
        var crowded = Caravan_V1_Plan()
        crowded.nodeAllocation["n1"] = .with { $0.allocations = [second] }
        #expect(PlanVerifier.evaluate(plan: crowded, state: machine.view).rejectedNodes["n1"] == "cpu exhausted")
        crowded.nodeUpdate["n1"] = .with {
            $0.stops = [
                .with {
                    $0.allocID = "a1"; $0.desiredStatus = .stop
                }
            ]
        }
        #expect(PlanVerifier.evaluate(plan: crowded, state: machine.view).isFullyAccepted)
    }
}

final class Changes: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [StateChange] = []
    func append(_ change: StateChange) { lock.withLock { items.append(change) } }
    var all: [StateChange] { lock.withLock { items } }
}
