import CaravanProto
import Foundation
import Scheduler
import State

/// What the leader should do next about one running deployment, as a pure function of the state and the
/// clock: fail it (and roll back), promote its canaries, declare it successful, or let the scheduler place the
/// next batch because allocations became healthy.
enum DeploymentProgress {
    enum Action: Equatable {
        /// Fail with this description, re-registering `revertTo` when auto_revert found a stable version.
        case fail(description: String, revertTo: Caravan_V1_Job?)
        case promote
        case succeed
        /// Health changed: evaluate the job so the rolling update moves on.
        case advance
    }

    /// `lastHealthy` is the healthy total seen at the previous look (nil: never looked).
    static func decide(
        _ deployment: Caravan_V1_Deployment, cluster: ClusterState, now: Date, lastHealthy: Int32?
    ) -> Action? {
        guard deployment.status == .running,
            let job = cluster.job(namespace: deployment.namespace, id: deployment.jobID),
            job.version == deployment.jobVersion, job.createIndex == deployment.jobCreateIndex, !job.stop
        else { return nil }  // paused, or a newer version or a stop the scheduler cancels it for
        let groups = deployment.taskGroups
        if groups.values.contains(where: { $0.unhealthyAllocs > 0 }) {
            return failure(deployment, reason: DeploymentText.unhealthy, cluster: cluster)
        }
        if groups.values.contains(where: { missedDeadline($0, deployment: deployment, cluster: cluster, now: now) }) {
            return failure(deployment, reason: DeploymentText.progressDeadline, cluster: cluster)
        }
        if shouldAutoPromote(deployment, cluster: cluster) { return .promote }
        if groups.values.allSatisfy(isComplete) { return .succeed }
        let healthy = groups.values.reduce(0) { $0 + $1.healthyAllocs }
        if let lastHealthy, healthy == lastHealthy { return nil }
        return healthy > 0 ? .advance : nil
    }

    static func isComplete(_ group: Caravan_V1_DeploymentState) -> Bool {
        (group.desiredCanaries == 0 || group.promoted) && group.healthyAllocs >= group.desiredTotal
    }

    /// Canaries all healthy, waiting for promotion.
    static func canariesReady(_ group: Caravan_V1_DeploymentState, cluster: ClusterState) -> Bool {
        guard group.desiredCanaries > 0, !group.promoted else { return false }
        let healthy = group.placedCanaries.filter { cluster.allocs[$0]?.deploymentStatus.healthy == true }.count
        return healthy >= Int(group.desiredCanaries)
    }

    /// Auto-promotion happens once every group waiting on canaries asks for it and has them all healthy.
    private static func shouldAutoPromote(_ deployment: Caravan_V1_Deployment, cluster: ClusterState) -> Bool {
        let waiting = deployment.taskGroups.values.filter { $0.desiredCanaries > 0 && !$0.promoted }
        guard !waiting.isEmpty else { return false }
        return waiting.allSatisfy { $0.autoPromote && canariesReady($0, cluster: cluster) }
    }

    /// Past `require_progress_by` and not done. A group whose healthy canaries only wait for an operator's
    /// promotion is not failed for it.
    private static func missedDeadline(
        _ group: Caravan_V1_DeploymentState, deployment: Caravan_V1_Deployment, cluster: ClusterState, now: Date
    ) -> Bool {
        guard group.hasRequireProgressBy, now > group.requireProgressBy.date, !isComplete(group) else { return false }
        return !canariesReady(group, cluster: cluster)
    }

    private static func failure(_ deployment: Caravan_V1_Deployment, reason: String, cluster: ClusterState) -> Action {
        guard deployment.taskGroups.values.contains(where: \.autoRevert) else {
            return .fail(description: reason, revertTo: nil)
        }
        guard let target = cluster.rollbackTarget(for: deployment) else {
            return .fail(description: DeploymentText.noRollback(reason), revertTo: nil)
        }
        return .fail(description: DeploymentText.rollingBack(reason, to: target.version), revertTo: target)
    }
}
