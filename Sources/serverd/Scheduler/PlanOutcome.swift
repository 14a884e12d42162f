import CaravanProto
import Foundation
import SwiftProtobuf

/// Per-group bookkeeping of a scheduling pass, turned into the plan's evaluation updates at the end.
struct PlanOutcome {
    var failures: [String: Caravan_V1_AllocMetric] = [:]
    var queued: [String: Int32] = [:]
    var updates: [String: Caravan_V1_DesiredUpdates] = [:]
    /// Failed allocations waiting for a delayed reschedule, with the time they are due.
    var delayed: [(allocation: Caravan_V1_Allocation, at: Date)] = []
    /// A rolling update of a system job has more batches: evaluate again this many seconds from now.
    var rollingFollowup: TimeInterval?
    var description = ""

    /// Records one placement that found no node; later failures of the group are folded into the first.
    mutating func recordFailure(group: String, metric: Caravan_V1_AllocMetric) {
        if var existing = failures[group] {
            existing.coalescedFailures += 1
            failures[group] = existing
        } else {
            failures[group] = metric
        }
        queued[group, default: 0] += 1
    }

    /// Fills in the plan header, the evaluation update, the blocked and follow-up evaluations and annotations.
    func finish(context: PlanContext, priority: Int32) -> Caravan_V1_Plan {
        let evaluation = context.evaluation
        var plan = context.plan
        plan.evalID = evaluation.id
        plan.priority = priority
        plan.jobID = evaluation.jobID
        plan.namespace = evaluation.namespace
        plan.jobVersion = context.job.version
        plan.snapshotIndex = context.state.index
        plan.allAtOnce = context.job.allAtOnce
        let now = Google_Protobuf_Timestamp(date: context.now)

        var update = evaluation
        update.status = .complete
        update.statusDescription = description
        update.snapshotIndex = context.state.index
        update.failedTgAllocs = failures
        update.queuedAllocations = queued
        update.modifyTime = now
        // `ctl job run` follows the deployment its evaluation started or continued.
        if let deployment = context.deployment { update.deploymentID = deployment.id }

        var created: [Caravan_V1_Evaluation] = []
        var followups: [Date: String] = [:]
        for (allocation, at) in delayed.sorted(by: {
            $0.at < $1.at || ($0.at == $1.at && $0.allocation.id < $1.allocation.id)
        }) {
            let id: String
            if let existing = followups[at] {
                id = existing
            } else {
                var followup = derived(from: evaluation, context: context, priority: priority, now: now)
                followup.status = .pending
                followup.triggeredBy = "alloc-failure"
                followup.waitUntil = Google_Protobuf_Timestamp(date: at)
                id = followup.id
                followups[at] = id
                created.append(followup)
            }
            plan.nodeUpdate[allocation.nodeID, default: Caravan_V1_PlanNodeStops()].stops.append(
                Self.annotation(allocation.id, followup: id))
        }
        if let wait = rollingFollowup {
            var next = derived(from: evaluation, context: context, priority: priority, now: now)
            next.status = .pending
            next.triggeredBy = "rolling-update"
            next.waitUntil = Google_Protobuf_Timestamp(date: context.now.addingTimeInterval(wait))
            created.append(next)
        }
        if !failures.isEmpty {
            var blocked = derived(from: evaluation, context: context, priority: priority, now: now)
            blocked.status = .blocked
            blocked.triggeredBy = "queued-allocs"
            // What it could not place was judged on this snapshot; capacity added after it must unblock it.
            blocked.snapshotIndex = context.state.index
            blocked.statusDescription = "created to place remaining allocations"
            update.blockedEval = blocked.id
            if update.statusDescription.isEmpty {
                update.statusDescription = "created blocked evaluation for allocations that could not be placed"
            }
            created.append(blocked)
        }
        plan.evalUpdate = update
        plan.createdEvals = created
        var annotations = Caravan_V1_PlanAnnotations()
        annotations.desiredTgUpdates = updates
        plan.annotations = annotations
        return plan
    }

    private static func annotation(_ allocationID: String, followup: String) -> Caravan_V1_PlanAllocStop {
        var stop = Caravan_V1_PlanAllocStop()
        stop.allocID = allocationID
        stop.followupEvalID = followup
        return stop
    }

    private func derived(
        from evaluation: Caravan_V1_Evaluation, context: PlanContext, priority: Int32, now: Google_Protobuf_Timestamp
    ) -> Caravan_V1_Evaluation {
        var created = Caravan_V1_Evaluation()
        created.id = context.random.uuid()
        created.namespace = evaluation.namespace
        created.priority = priority
        created.type = evaluation.type
        created.jobID = evaluation.jobID
        created.jobModifyIndex = context.job.jobModifyIndex
        created.previousEval = evaluation.id
        created.createTime = now
        created.modifyTime = now
        return created
    }
}
