import CaravanProto
import Foundation
import SwiftProtobuf

/// How this client judges an allocation's health, which the servers need to pace rolling updates (allocations
/// of a deployment, judged by the group's `update` block) and drains (replacements of migrated allocations,
/// judged by its `migrate` block).
///
/// Only service jobs are judged, and `health_check = "manual"` turns judging off. `"checks"` is judged like
/// `"task_states"` until Caravan runs service checks itself: an allocation is healthy once every task that is
/// meant to keep running has run for `min_healthy_time` without restarting.
struct AllocHealthPolicy: Equatable, Sendable {
    var minHealthyTime: TimeInterval
    var healthyDeadline: TimeInterval

    /// nil when the allocation is not judged (batch or system job, manual health, or the servers already hold
    /// a decision for it).
    init?(allocation: Caravan_V1_Allocation) {
        guard allocation.job.type == .service, !allocation.deploymentStatus.hasHealthy,
            let group = allocation.job.taskGroups.first(where: { $0.name == allocation.taskGroup })
        else { return nil }
        if !allocation.deploymentID.isEmpty {
            guard group.hasUpdate, group.update.healthCheck != "manual" else { return nil }
            minHealthyTime = group.update.minHealthyTime.timeInterval
            healthyDeadline = group.update.healthyDeadline.timeInterval
        } else {
            // Not part of a deployment: judged only so a drain can pace its migrations.
            guard group.hasMigrate, group.migrate.healthCheck != "manual" else { return nil }
            minHealthyTime = group.migrate.minHealthyTime.timeInterval
            healthyDeadline = group.migrate.healthyDeadline.timeInterval
        }
    }

    init(minHealthyTime: TimeInterval, healthyDeadline: TimeInterval) {
        self.minHealthyTime = minHealthyTime
        self.healthyDeadline = healthyDeadline
    }
}
