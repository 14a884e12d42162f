import CaravanProto
import Foundation
import Logging
import State
import Testing

@testable import CaravanServer

/// The leader duty around the planner: what it proposes, and that a new leader resumes from the state alone.
@Suite("node drainer")
struct NodeDrainerTests {
    static let start = Date(timeIntervalSince1970: 1_700_000_000)

    static func propose(_ cluster: LocalClusterAccess, _ fill: (inout Caravan_V1_StateCommand) -> Void) async throws {
        var command = StateCommands.envelope(at: start)
        fill(&command)
        let applied = try await cluster.proposeAsLeader(command)
        if let refusal = applied.result.refusal { throw refusal }
    }

    /// Node n1 (drained with a one-hour deadline) and n2; job "web" with two allocations on n1.
    static func cluster() async throws -> LocalClusterAccess {
        let cluster = LocalClusterAccess()
        for id in ["n1", "n2"] {
            try await propose(cluster) {
                $0.registerNode = .with {
                    $0.node = .with {
                        $0.id = id; $0.secretID = "s"; $0.name = id; $0.datacenter = "dc1"
                    }
                }
            }
        }
        var job = Caravan_V1_Job()
        job.id = "web"
        job.namespace = "default"
        job.type = .service
        job.datacenters = ["dc1"]
        job.taskGroups = [
            .with {
                $0.name = "g"; $0.count = 2; $0.tasks = [.with { $0.name = "t" }]
            }
        ]
        try await propose(cluster) { $0.registerJob = .with { $0.job = job } }
        var plan = Caravan_V1_Plan()
        plan.nodeAllocation["n1"] = .with {
            $0.allocations = (0..<2).map { index in
                .with {
                    $0.id = "w\(index)"; $0.namespace = "default"; $0.jobID = "web"; $0.taskGroup = "g"
                    $0.name = "web.g[\(index)]"; $0.nodeID = "n1"; $0.clientStatus = .running
                }
            }
        }
        try await propose(cluster) { $0.applyPlan = .with { $0.plan = plan } }
        let request = Caravan_V1_DrainNodeRequest.with {
            $0.nodeID = "n1"; $0.drainSpec.deadline = .init(seconds: 3600)
        }
        try await propose(cluster) {
            $0.updateNodeDrain = NodeDrainRequest.command(for: request, nodeID: "n1", evals: [], at: start)
        }
        return cluster
    }

    func drainer(_ cluster: LocalClusterAccess, at offset: TimeInterval = 0) -> NodeDrainer {
        NodeDrainer(cluster: cluster, logger: Logger(label: "test"), now: { Self.start.addingTimeInterval(offset) })
    }

    @Test("a step marks the allocation for migration with one node-drain evaluation for its job")
    func marks() async throws {
        let cluster = try await Self.cluster()
        let step = try await drainer(cluster).tick()
        #expect(step.migrate == ["w0"])
        let view = try await cluster.latestView()
        #expect(view.cluster.allocs["w0"]?.desiredTransition.migrate == true)
        #expect(view.cluster.allocs["w1"]?.desiredTransition.migrate == false)
        let evals = view.cluster.evaluations(namespace: "default", jobID: "web")
        #expect(evals.count == 1)
        #expect(evals.first?.triggeredBy == "node-drain")
        #expect(evals.first?.status == .pending)
        #expect(evals.first?.type == "service")
    }

    @Test("a second drainer (a new leader) resumes from the state: nothing marked twice, the pace kept")
    func newLeaderResumes() async throws {
        let cluster = try await Self.cluster()
        _ = try await drainer(cluster).tick()
        let again = try await drainer(cluster).tick()
        #expect(again.isEmpty)
        #expect(try await cluster.latestView().cluster.evals.count == 1)
    }

    @Test("at the deadline everything is marked; once stopped the drain completes and the node stays ineligible")
    func deadlineThenComplete() async throws {
        let cluster = try await Self.cluster()
        let step = try await drainer(cluster, at: 3601).tick()
        #expect(step.migrate == ["w0", "w1"])
        try await Self.propose(cluster) {
            $0.clientAllocUpdates = .with {
                $0.nodeID = "n1"
                $0.updates = ["w0", "w1"].map { id in
                    .with {
                        $0.allocID = id; $0.clientStatus = .complete
                    }
                }
            }
        }
        let last = try await drainer(cluster, at: 3602).tick()
        #expect(last.complete == ["n1"])
        let node = try #require(try await cluster.latestView().cluster.nodes["n1"])
        #expect(!node.hasDrainStrategy)
        #expect(node.schedulingEligibility == .ineligible)
        #expect(node.events.last?.message == "Node drain complete")
        #expect(node.events.last?.subsystem == "Drain")
        #expect(try await drainer(cluster, at: 3603).tick().isEmpty)
    }
}
