import CaravanProto
import CaravanRPC
import Foundation
import Scheduler
import State
import Testing

@testable import CaravanServer

/// Deployments end to end through the state machine, the scheduler and the watcher: rolling updates honour
/// max_parallel, canaries wait for promotion, failures roll back, deadlines fail.
@Suite("deployment lifecycle")
struct DeploymentLifecycleTests {
    @Test("the first version rolls out as one deployment that succeeds and marks the version stable")
    func initialDeployment() async throws {
        let harness = try await RolloutHarness()
        try await harness.register(RolloutHarness.job(count: 3))
        let plans = try await harness.schedule()
        #expect(plans.first?.placedCount == 3)
        let deployment = try #require(try await harness.deployment())
        #expect(deployment.status == .running)
        #expect(deployment.statusDescription == DeploymentText.running)
        #expect(deployment.taskGroups["api"]?.desiredTotal == 3)
        #expect(deployment.taskGroups["api"]?.placedAllocs == 3)
        #expect(try await harness.live().allSatisfy { $0.deploymentID == deployment.id })
        #expect(try await harness.cluster.latestView().cluster.activeDeployments.map(\.id) == [deployment.id])
        try await harness.reportAllHealthy()
        try await harness.watch()
        #expect(try await harness.cluster.latestView().cluster.activeDeployments.isEmpty)
        let done = try #require(try await harness.deployment())
        #expect(done.status == .successful)
        #expect(done.statusDescription == DeploymentText.successful)
        #expect(done.taskGroups["api"]?.healthyAllocs == 3)
        #expect(try await harness.job()?.stable == true)
    }

    @Test("a destructive update replaces max_parallel allocations at a time, each batch after the last is healthy")
    func rollingUpdate() async throws {
        let harness = try await RolloutHarness()
        try await harness.register(RolloutHarness.job(count: 4, maxParallel: 2))
        try await harness.settle()
        try await harness.register(RolloutHarness.job(count: 4, maxParallel: 2, argument: "2000"))
        let first = try await harness.schedule()
        #expect(first.map(\.placedCount) == [2])
        #expect(first.first?.annotations.desiredTgUpdates["api"]?.destructiveUpdate == 2)
        // Nothing new is healthy: another evaluation places nothing more.
        try await harness.watch()
        #expect(try await harness.schedule().isEmpty)
        var versions = try await harness.live().map(\.jobVersion).sorted()
        #expect(versions == [0, 0, 1, 1])
        // One replacement healthy frees one slot.
        let fresh = try await harness.live().filter { $0.jobVersion == 1 }
        try await harness.report(fresh[0].id, healthy: true)
        try await harness.watch()
        let second = try await harness.schedule()
        #expect(second.map(\.placedCount) == [1])
        versions = try await harness.live().map(\.jobVersion).sorted()
        #expect(versions == [0, 1, 1, 1])
        try await harness.settle()
        #expect(try await harness.live().map(\.jobVersion) == [1, 1, 1, 1])
        let deployment = try #require(try await harness.deployment())
        #expect(deployment.jobVersion == 1)
        #expect(deployment.status == .successful)
        #expect(try await harness.versions().map(\.stable) == [true, true])
    }

    @Test("canaries are placed beside the old allocations and replace them only once promoted")
    func canaryPromotion() async throws {
        let harness = try await RolloutHarness()
        try await harness.register(RolloutHarness.job(count: 2, canary: 1))
        try await harness.settle()
        let old = try await harness.live()
        try await harness.register(RolloutHarness.job(count: 2, canary: 1, argument: "2000"))
        let plans = try await harness.schedule()
        #expect(plans.first?.annotations.desiredTgUpdates["api"]?.canary == 1)
        let deployment = try #require(try await harness.deployment())
        #expect(deployment.statusDescription == DeploymentText.needsPromotion)
        #expect(deployment.taskGroups["api"]?.desiredCanaries == 1)
        let canary = try #require(try await harness.live().first { $0.jobVersion == 1 })
        #expect(canary.deploymentStatus.canary)
        #expect(canary.name == "api.api[0]")
        #expect(try await harness.live().count == 3)
        // Not healthy yet: promotion is refused and changes nothing.
        await #expect(throws: CaravanError.self) {
            try await harness.propose { $0.promoteDeployment = .with { $0.deploymentID = deployment.id } }
        }
        #expect(try await harness.deployment()?.taskGroups["api"]?.promoted == false)
        try await harness.report(canary.id, healthy: true)
        try await harness.watch()
        // Healthy canaries alone do not finish the deployment nor replace anything without promotion.
        #expect(try await harness.schedule().allSatisfy { $0.placedCount == 0 })
        #expect(try await harness.deployment()?.status == .running)
        let eval = EvalFactory.evaluation(
            for: try #require(try await harness.job()), trigger: .deploymentWatcher, at: harness.now)
        try await harness.propose {
            $0.promoteDeployment = .with {
                $0.deploymentID = deployment.id
                $0.eval = eval
            }
        }
        try await harness.settle()
        let live = try await harness.live()
        #expect(live.count == 2)
        #expect(live.allSatisfy { $0.jobVersion == 1 })
        #expect(live.contains { $0.id == canary.id })
        #expect(Set(live.map(\.name)) == ["api.api[0]", "api.api[1]"])
        #expect(!live.contains { alloc in old.contains { $0.id == alloc.id } })
        #expect(try await harness.deployment()?.status == .successful)
    }

    @Test("auto_promote promotes once every canary is healthy")
    func autoPromote() async throws {
        let harness = try await RolloutHarness()
        try await harness.register(RolloutHarness.job(count: 2, canary: 1, autoPromote: true))
        try await harness.settle()
        try await harness.register(RolloutHarness.job(count: 2, canary: 1, autoPromote: true, argument: "2"))
        try await harness.schedule()
        #expect(try await harness.deployment()?.statusDescription == DeploymentText.pendingAutoPromotion)
        try await harness.settle()
        #expect(try await harness.deployment()?.taskGroups["api"]?.promoted == true)
        #expect(try await harness.deployment()?.status == .successful)
        #expect(try await harness.live().map(\.jobVersion) == [1, 1])
    }

    @Test("an unhealthy allocation fails the deployment and auto_revert re-registers the last stable version")
    func autoRevert() async throws {
        let harness = try await RolloutHarness()
        try await harness.register(RolloutHarness.job(count: 2, autoRevert: true))
        try await harness.settle()
        try await harness.register(RolloutHarness.job(count: 2, autoRevert: true, argument: "2000"))
        try await harness.settle()
        #expect(try await harness.versions().map(\.stable) == [true, true])
        try await harness.register(RolloutHarness.job(count: 2, autoRevert: true, argument: "broken"))
        try await harness.schedule()
        let broken = try #require(try await harness.live().first { $0.jobVersion == 2 })
        try await harness.report(broken.id, healthy: false, status: .failed)
        try await harness.watch()
        let failed = try #require(
            try await harness.cluster.latestView().cluster.deployments(namespace: "default", jobID: "api").first {
                $0.jobVersion == 2
            })
        #expect(failed.status == .failed)
        #expect(failed.statusDescription == DeploymentText.rollingBack(DeploymentText.unhealthy, to: 1))
        let reverted = try #require(try await harness.job())
        #expect(reverted.version == 3)
        let argument = reverted.taskGroups[0].tasks[0].config.fields["args"]?.listValue.values.first?.stringValue
        #expect(argument == "2000")
        try await harness.settle()
        // The failed allocation is replaced after the reschedule policy's delay (30s for services).
        #expect(try await harness.live().count == 1)
        harness.advance(31)
        try await harness.settle()
        let live = try await harness.live()
        #expect(live.count == 2)
        #expect(live.allSatisfy { $0.jobVersion == 3 })
        #expect(try await harness.deployment()?.status == .successful)
    }

    @Test("without auto_revert a failed deployment stops replacing allocations")
    func failedHalts() async throws {
        let harness = try await RolloutHarness()
        try await harness.register(RolloutHarness.job(count: 3))
        try await harness.settle()
        try await harness.register(RolloutHarness.job(count: 3, argument: "2000"))
        try await harness.schedule()
        let fresh = try #require(try await harness.live().first { $0.jobVersion == 1 })
        try await harness.report(fresh.id, healthy: false)
        try await harness.watch()
        #expect(try await harness.deployment()?.status == .failed)
        #expect(try await harness.deployment()?.statusDescription == DeploymentText.unhealthy)
        try await harness.settle()
        #expect(try await harness.live().map(\.jobVersion).sorted() == [0, 0, 1])
        #expect(try await harness.job()?.version == 1)
    }

    @Test("a deployment that makes no progress by its deadline fails")
    func progressDeadline() async throws {
        let harness = try await RolloutHarness()
        try await harness.register(RolloutHarness.job(count: 2, progressDeadline: 30))
        try await harness.settle()
        try await harness.register(RolloutHarness.job(count: 2, progressDeadline: 30, argument: "2000"))
        try await harness.schedule()
        harness.advance(29)
        try await harness.watch()
        #expect(try await harness.deployment()?.status == .running)
        harness.advance(2)
        try await harness.watch()
        #expect(try await harness.deployment()?.status == .failed)
        #expect(try await harness.deployment()?.statusDescription == DeploymentText.progressDeadline)
    }

    @Test("a newer version cancels the running deployment; stopping the job cancels its deployment")
    func cancellations() async throws {
        let harness = try await RolloutHarness()
        try await harness.register(RolloutHarness.job(count: 2))
        try await harness.schedule()
        let first = try #require(try await harness.deployment())
        try await harness.register(RolloutHarness.job(count: 2, argument: "2000"))
        try await harness.schedule()
        let all = try await harness.cluster.latestView().cluster.deployments(namespace: "default", jobID: "api")
        #expect(all.count == 2)
        #expect(all.first { $0.id == first.id }?.status == .cancelled)
        #expect(all.first { $0.id == first.id }?.statusDescription == DeploymentText.newerJob)
        try await harness.deregister()
        try await harness.schedule()
        #expect(try await harness.deployment()?.status == .cancelled)
        #expect(try await harness.deployment()?.statusDescription == DeploymentText.stoppedJob)
        #expect(try await harness.live().isEmpty)
    }

    @Test("a paused deployment places nothing destructive until resumed")
    func pauseResume() async throws {
        let harness = try await RolloutHarness()
        try await harness.register(RolloutHarness.job(count: 2))
        try await harness.settle()
        try await harness.register(RolloutHarness.job(count: 2, argument: "2000"))
        try await harness.schedule()
        let deployment = try #require(try await harness.deployment())
        try await harness.propose {
            $0.updateDeployment = .with {
                $0.update = DeploymentPlanner.statusUpdate(deployment.id, .paused, DeploymentText.paused)
            }
        }
        try await harness.settle()
        #expect(try await harness.live().map(\.jobVersion).sorted() == [0, 1])
        let job = try #require(try await harness.job())
        let eval = EvalFactory.evaluation(for: job, trigger: .deploymentWatcher, at: harness.now)
        try await harness.propose {
            $0.updateDeployment = .with {
                $0.update = DeploymentPlanner.statusUpdate(deployment.id, .running, DeploymentText.running)
                $0.eval = eval
            }
        }
        try await harness.settle()
        #expect(try await harness.live().map(\.jobVersion) == [1, 1])
        #expect(try await harness.deployment()?.status == .successful)
    }

    @Test("promoting without canaries or an unknown group is refused and changes nothing")
    func promoteRefusals() async throws {
        let harness = try await RolloutHarness()
        try await harness.register(RolloutHarness.job(count: 2))
        try await harness.schedule()
        let deployment = try #require(try await harness.deployment())
        await #expect {
            try await harness.propose { $0.promoteDeployment = .with { $0.deploymentID = deployment.id } }
        } throws: { ($0 as? CaravanError)?.message.contains("has no canaries to promote") == true }
        await #expect {
            try await harness.propose {
                $0.promoteDeployment = .with {
                    $0.deploymentID = deployment.id
                    $0.groups = ["db"]
                }
            }
        } throws: { ($0 as? CaravanError)?.message.contains("has no task group \"db\"") == true }
        await #expect {
            try await harness.propose { $0.promoteDeployment = .with { $0.deploymentID = "nope" } }
        } throws: { ($0 as? CaravanError)?.code == .notFound }
        #expect(try await harness.deployment() == deployment)
    }
}

extension Caravan_V1_Plan {
    /// New allocations in the plan (in-place updates carry their existing client status).
    var placedCount: Int {
        nodeAllocation.values.flatMap(\.allocations).filter { $0.clientStatus == .pending }.count
    }
}
