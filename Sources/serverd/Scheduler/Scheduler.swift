import CaravanProto
import Foundation

/// Turns one evaluation into a plan, as a pure function of the evaluation and a state snapshot.
///
/// No I/O, no clock and no global randomness: `now` and `seed` come from the caller (the worker), so the same
/// inputs always give the same plan and the scheduler can be tested table by table, as Nomad's harness does.
/// The worker submits the plan to the leader's plan applier; when the applier refuses part of it (state
/// changed since the snapshot), the worker calls `schedule` again on a fresher snapshot.
public enum Scheduler {
    public static func schedule(
        evaluation: Caravan_V1_Evaluation,
        state: any SchedulerState,
        now: Date,
        seed: UInt64
    ) -> Caravan_V1_Plan {
        let allocations = state.allocations(namespace: evaluation.namespace, jobID: evaluation.jobID)
        guard let job = state.job(namespace: evaluation.namespace, id: evaluation.jobID), !job.stop else {
            return stopAll(evaluation: evaluation, state: state, now: now, seed: seed, allocations: allocations)
        }
        let context = PlanContext(
            state: state, evaluation: evaluation, job: job, now: now, seed: seed, existing: allocations)
        let isSystem = evaluation.type == "system" || (evaluation.type.isEmpty && job.type == .system)
        if isSystem {
            return SystemScheduler.schedule(context: context, allocations: allocations)
        }
        return GenericScheduler.schedule(context: context, allocations: allocations)
    }

    /// The job was stopped or purged: stop everything it still runs.
    private static func stopAll(
        evaluation: Caravan_V1_Evaluation, state: any SchedulerState, now: Date, seed: UInt64,
        allocations: [Caravan_V1_Allocation]
    ) -> Caravan_V1_Plan {
        let stored = state.job(namespace: evaluation.namespace, id: evaluation.jobID)
        var job = stored ?? Caravan_V1_Job()
        if stored == nil {
            job.id = evaluation.jobID
            job.namespace = evaluation.namespace
            job.priority = evaluation.priority
        }
        let description = stored == nil ? "job deregistered" : "alloc not needed since job was stopped"
        let context = PlanContext(
            state: state, evaluation: evaluation, job: job, now: now, seed: seed, existing: allocations)
        var outcome = PlanOutcome()
        DeploymentPlanner.cancelForStoppedJob(context: context)
        for allocation in allocations where !allocation.isTerminal {
            let node = context.node(id: allocation.nodeID)
            let lost = node == nil || node?.status == .down
            context.stop(allocation, description: description, clientStatus: lost ? .lost : .unspecified)
            outcome.updates[allocation.taskGroup, default: Caravan_V1_DesiredUpdates()].stop += 1
        }
        return outcome.finish(context: context, priority: job.priority)
    }
}
