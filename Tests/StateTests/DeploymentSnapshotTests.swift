import CaravanProto
import Foundation
import State
import Testing

/// Deployments survive a snapshot, and so does the index of those still rolling out.
@Suite("StateMachine: deployments in snapshots")
struct DeploymentSnapshotTests {
    @Test("a restored state lists the same deployments, and only running ones as active")
    func roundTrip() throws {
        let machine = StateMachine()
        var plan = Caravan_V1_Plan()
        for (id, status) in [("d-running", Caravan_V1_DeploymentStatus.running), ("d-done", .successful)] {
            plan.deployment = .with {
                $0.id = id
                $0.namespace = "default"
                $0.jobID = "api"
                $0.status = status
                $0.taskGroups["api"] = .with { $0.desiredTotal = 2 }
            }
            _ = machine.apply(
                entryData: try ClusterStateTests.entry { $0.applyPlan = .with { $0.plan = plan } },
                index: machine.lastAppliedIndex + 1)
        }
        #expect(machine.cluster.activeDeployments.map(\.id) == ["d-running"])
        let restored = StateMachine()
        try restored.restore(from: try machine.snapshot())
        #expect(restored.cluster.activeDeployments.map(\.id) == ["d-running"])
        #expect(
            restored.cluster.deployments(namespace: "default", jobID: "api").map(\.id).sorted() == [
                "d-done", "d-running",
            ])
        #expect(restored.cluster.deployment(id: "d-running") == machine.cluster.deployment(id: "d-running"))
    }
}
