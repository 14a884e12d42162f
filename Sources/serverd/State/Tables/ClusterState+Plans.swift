import CaravanProto
import SwiftProtobuf

extension ClusterState {
    /// Commits a plan the applier accepted: stops, new and updated allocations, and (when the whole plan was
    /// accepted) the evaluation's outcome and the evaluations it spawned.
    mutating func applyPlan(_ plan: Caravan_V1_Plan, index: UInt64, time: Google_Protobuf_Timestamp) {
        if plan.hasDeployment { upsertDeployment(plan.deployment, index: index, time: time) }
        for update in plan.deploymentUpdates { setDeploymentStatus(update, index: index, time: time) }
        for nodeID in plan.nodeUpdate.keys.sorted() {
            for stop in plan.nodeUpdate[nodeID]?.stops ?? [] {
                guard let existing = allocs[stop.allocID] else { continue }
                var alloc = existing
                if stop.desiredStatus != .unspecified {
                    alloc.desiredStatus = stop.desiredStatus
                    alloc.desiredDescription = stop.desiredDescription
                    alloc.allocModifyIndex = index
                }
                if stop.clientStatus != .unspecified {
                    alloc.clientStatus = stop.clientStatus
                    alloc.clientDescription = stop.desiredDescription
                }
                if !stop.followupEvalID.isEmpty { alloc.followupEvalID = stop.followupEvalID }
                alloc.modifyIndex = index
                // A follow-up annotation keeps modify_time: the reschedule delay counts from the failure's report,
                // and moving it would push the reschedule back each time a follow-up is created.
                let annotationOnly = stop.desiredStatus == .unspecified && stop.clientStatus == .unspecified
                if !annotationOnly { alloc.modifyTime = time }
                storeAllocation(alloc, replacing: existing)
            }
        }
        for nodeID in plan.nodeAllocation.keys.sorted() {
            for alloc in plan.nodeAllocation[nodeID]?.allocations ?? [] {
                upsertPlannedAllocation(alloc, index: index, time: time)
            }
        }
        touch(.allocs, at: index)
        if !plan.nodeUpdate.isEmpty { journal?.capacityChanged = true }
        var evalUpdates = plan.createdEvals
        if plan.hasEvalUpdate { evalUpdates.append(plan.evalUpdate) }
        upsertEvals(evalUpdates, index: index, time: time)
    }

    private mutating func upsertPlannedAllocation(
        _ planned: Caravan_V1_Allocation, index: UInt64, time: Google_Protobuf_Timestamp
    ) {
        var alloc = planned
        alloc.clearJob()
        if let existing = allocs[alloc.id] {
            // An in-place update: the client keeps running it; only the job version and resources change.
            var updated = existing
            updated.jobVersion = alloc.jobVersion
            updated.allocatedResources = alloc.allocatedResources
            updated.evalID = alloc.evalID
            updated.modifyIndex = index
            updated.allocModifyIndex = index
            updated.modifyTime = time
            let joinsDeployment = !alloc.deploymentID.isEmpty && alloc.deploymentID != existing.deploymentID
            if joinsDeployment {
                // Nothing it runs changed, so it joins the new deployment as placed and healthy at once.
                updated.deploymentID = alloc.deploymentID
                updated.deploymentStatus = Caravan_V1_AllocDeploymentStatus.with {
                    $0.healthy = true
                    $0.timestamp = time
                    $0.modifyIndex = index
                }
            }
            storeAllocation(updated, replacing: existing)
            if joinsDeployment {
                countPlacement(updated, index: index, time: time)
                var unjudged = updated
                unjudged.deploymentStatus.clearHealthy()
                countHealth(of: updated, before: unjudged, index: index, time: time)
            }
            return
        }
        alloc.createIndex = index
        alloc.modifyIndex = index
        alloc.allocModifyIndex = index
        if !alloc.hasCreateTime { alloc.createTime = time }
        alloc.modifyTime = time
        if alloc.clientStatus == .unspecified { alloc.clientStatus = .pending }
        if alloc.desiredStatus == .unspecified { alloc.desiredStatus = .run }
        storeAllocation(alloc, replacing: nil)
        countPlacement(alloc, index: index, time: time)
        allocsByNode.insert(alloc.id, into: alloc.nodeID)
        allocsByJob.insert(alloc.id, into: Self.jobKey(namespace: alloc.namespace, id: alloc.jobID))
        if !alloc.previousAllocation.isEmpty {
            allocs.update(alloc.previousAllocation) { previous in
                guard var previousAlloc = previous else { return }
                previousAlloc.nextAllocation = alloc.id
                previousAlloc.modifyIndex = index
                previous = previousAlloc
            }
        }
    }
}
