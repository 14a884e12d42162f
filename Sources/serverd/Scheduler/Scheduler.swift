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
        var plan = Caravan_V1_Plan()
        plan.evalID = evaluation.id
        return plan
    }
}
