import CaravanProto
import CaravanRPC
import Foundation
import Scheduler
import State

/// The leader's plan applier: takes plans from workers one at a time, re-checks each against the latest state
/// (other plans may have taken the capacity since the worker's snapshot) and commits what still fits in one
/// Raft entry. This is the optimistic concurrency of Nomad's design: workers plan in parallel, the applier
/// serializes. A partially committed plan returns a refresh index so the worker replans on fresher state.
public final class PlanApplier: Sendable {
    private struct Submission: Sendable {
        var plan: Caravan_V1_Plan
        var continuation: CheckedContinuation<Caravan_V1_PlanResult, any Error>
    }

    private let queue: AsyncStream<Submission>
    private let input: AsyncStream<Submission>.Continuation
    private let cluster: any ClusterAccess

    public init(cluster: any ClusterAccess) {
        self.cluster = cluster
        (queue, input) = AsyncStream.makeStream(of: Submission.self)
    }

    /// Queues `plan` and returns what was committed of it.
    public func submit(_ plan: Caravan_V1_Plan) async throws -> Caravan_V1_PlanResult {
        try await withCheckedThrowingContinuation { continuation in
            if case .terminated = input.yield(Submission(plan: plan, continuation: continuation)) {
                continuation.resume(throwing: CaravanError.unavailable("plan applier stopped: leadership lost"))
            }
        }
    }

    /// Applies plans until `stop`; plans still queued then are answered too (failing once leadership is gone).
    /// Run it in a task that is not cancelled, or queued plans would never be answered.
    public func run() async {
        for await submission in queue {
            do {
                submission.continuation.resume(returning: try await apply(submission.plan))
            } catch {
                submission.continuation.resume(throwing: error)
            }
        }
    }

    /// Stops taking plans; the loop in `run` fails what is still queued and ends.
    public func stop() {
        input.finish()
    }

    private func apply(_ plan: Caravan_V1_Plan) async throws -> Caravan_V1_PlanResult {
        let view = try await cluster.latestView()
        let verdict = PlanVerifier.evaluate(plan: plan, state: view)
        var result = Caravan_V1_PlanResult()
        result.rejectedNodes = verdict.rejectedNodes.keys.sorted()
        result.rejectionReasons = verdict.rejectedNodes
        let trimmed = verdict.plan
        if !verdict.isFullyAccepted && trimmed.nodeAllocation.isEmpty && trimmed.nodeUpdate.isEmpty {
            result.refreshIndex = view.appliedIndex
            return result
        }
        var command = StateCommands.envelope(at: Date())
        command.applyPlan = Caravan_V1_ApplyPlanCommand.with { $0.plan = verdict.plan }
        let applied = try await cluster.proposeAsLeader(command)
        if let refusal = applied.result.refusal { throw refusal }
        result.allocIndex = applied.index
        if !verdict.isFullyAccepted { result.refreshIndex = applied.index }
        return result
    }
}
