import CaravanProto
import CaravanRPC
import Foundation
import Logging
import Scheduler
import State

/// A scheduler worker on the leader: takes an evaluation from the broker, waits until the state has caught up
/// with it, plans against a snapshot (no locks held), submits the plan and replans when the applier committed
/// only part of it. One worker runs per core.
struct SchedulerWorker: Sendable {
    /// Plans refused again and again (the cluster is changing faster than this job can be planned) end with
    /// the evaluation failed rather than a worker stuck on it.
    static let maxAttempts = 5

    let broker: EvalBroker
    let applier: PlanApplier
    let cluster: any ClusterAccess
    let logger: Logger

    func run() async {
        var random = SystemRandomNumberGenerator()
        while !Task.isCancelled, let delivery = await broker.dequeue() {
            let eval = delivery.eval
            do {
                try await process(eval, seed: random.next())
                await broker.ack(evalID: eval.id, token: delivery.token)
            } catch {
                if !Task.isCancelled {
                    logger.warning(
                        "scheduling failed; the evaluation will be retried",
                        metadata: ["eval": "\(eval.id)", "job": "\(eval.jobID)", "error": "\(error)"])
                }
                await broker.nack(evalID: eval.id, token: delivery.token)
            }
        }
    }

    func process(_ eval: Caravan_V1_Evaluation, seed: UInt64) async throws {
        try await cluster.waitUntilApplied(eval.modifyIndex)
        var seed = seed
        for _ in 0..<Self.maxAttempts {
            let view = try await cluster.latestView()
            var plan = Scheduler.schedule(evaluation: eval, state: view, now: Date(), seed: seed)
            Self.reblock(&plan, evaluating: eval)
            let result = try await applier.submit(plan)
            if result.refreshIndex == 0 { return }
            try await cluster.waitUntilApplied(result.refreshIndex)
            seed &+= 0x9E37_79B9_7F4A_7C15
        }
        _ = try await cluster.proposeAsLeader(
            EvalFactory.statusUpdate(
                eval, to: .failed, because: "gave up after \(Self.maxAttempts) plans were refused by the plan applier",
                at: Date()))
    }

    /// A blocked evaluation that still cannot place everything stays the job's blocked evaluation (as Nomad's
    /// reblocking) instead of spawning a new one each time capacity changes.
    static func reblock(_ plan: inout Caravan_V1_Plan, evaluating eval: Caravan_V1_Evaluation) {
        guard eval.status == .blocked,
            let index = plan.createdEvals.firstIndex(where: { $0.status == .blocked })
        else { return }
        plan.createdEvals.remove(at: index)
        plan.evalUpdate.status = .blocked
        plan.evalUpdate.blockedEval = ""
    }
}
