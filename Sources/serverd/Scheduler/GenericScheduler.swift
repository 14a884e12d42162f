import CaravanProto
import Foundation

/// Schedules service and batch jobs: reconcile each group, then place what is missing through the
/// node-selection stack.
enum GenericScheduler {
    static func schedule(context: PlanContext, allocations: [Caravan_V1_Allocation]) -> Caravan_V1_Plan {
        let job = context.job
        var outcome = PlanOutcome()
        let groupNames = Set(job.taskGroups.map(\.name))
        for allocation in allocations where !allocation.isTerminal && !groupNames.contains(allocation.taskGroup) {
            context.stop(allocation, description: "alloc not needed as task group was removed")
        }
        var results: [(Caravan_V1_TaskGroup, Reconciler.Result)] = []
        for group in job.taskGroups {
            let mine = allocations.filter { $0.taskGroup == group.name }
            results.append((group, Reconciler(context: context, group: group).reconcile(mine)))
        }
        var needs: [String: Reconciler.DeploymentNeed] = [:]
        for (group, result) in results { needs[group.name] = result.deployment }
        DeploymentPlanner.plan(context: context, needs: needs)
        for (group, result) in results {
            for stop in result.stops {
                context.stop(stop.allocation, description: stop.description, clientStatus: stop.clientStatus)
            }
            for var allocation in result.inPlace {
                if let deployment = context.deployment, deployment.taskGroups[group.name] != nil {
                    allocation.deploymentID = deployment.id
                }
                context.updateInPlace(allocation)
            }
            outcome.delayed += result.delayed.map { ($0.allocation, $0.at) }
            outcome.updates[group.name] = result.updates
            outcome.queued[group.name] = 0
        }
        var selector: NodeSelector?
        for (group, result) in results {
            for placement in result.placements {
                if outcome.failures[group.name] != nil {
                    outcome.recordFailure(group: group.name, metric: Caravan_V1_AllocMetric())
                    continue
                }
                let nodes = selector ?? NodeSelector(context: context)
                selector = nodes
                place(placement, group: group, selector: nodes, context: context, outcome: &outcome)
            }
        }
        return outcome.finish(context: context, priority: job.priority)
    }

    private static func place(
        _ placement: Reconciler.Placement, group: Caravan_V1_TaskGroup, selector: NodeSelector,
        context: PlanContext, outcome: inout PlanOutcome
    ) {
        let previous = placement.previous
        if placement.stopsPreviousOnSuccess, let previous {
            context.stop(previous, description: Reconciler.updateDescription)
        }
        let penalty = placement.rescheduleDelay != nil ? previous?.nodeID : nil
        let (option, metric) = selector.select(group: group, penaltyNode: penalty)
        guard let option else {
            if placement.stopsPreviousOnSuccess, let previous { context.unstop(previous) }
            outcome.recordFailure(group: group.name, metric: metric)
            return
        }
        let allocation = AllocationFactory.make(
            context: context, group: group, name: placement.name, node: option.node, ports: option.ports,
            metric: metric, previous: previous, rescheduleDelay: placement.rescheduleDelay,
            canary: placement.canary)
        context.place(allocation)
    }
}
