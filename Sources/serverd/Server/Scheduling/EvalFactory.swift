import CaravanProto
import Foundation
import State
import SwiftProtobuf

/// Builds the evaluations that writes create (a job registered, a node gone down, an allocation failed):
/// one place for their ids, trigger names and scheduler types, which the broker and the scheduler read.
public enum EvalFactory {
    public enum Trigger: String, Sendable {
        case jobRegister = "job-register"
        case jobDeregister = "job-deregister"
        case nodeUpdate = "node-update"
        case allocStop = "alloc-stop"
        case allocFailure = "alloc-failure"
        case maxPlanAttempts = "max-plan-attempts"
        case periodicJob = "periodic-job"
        case deploymentWatcher = "deployment-watcher"
        case nodeDrain = "node-drain"
    }

    /// The scheduler that handles a job type, by the name the scheduler dispatches on.
    public static func schedulerType(of type: Caravan_V1_JobType) -> String {
        switch type {
        case .batch: "batch"
        case .system: "system"
        default: "service"
        }
    }

    /// The command that records `eval` ending with `status` (failed, canceled) and why.
    public static func statusUpdate(
        _ eval: Caravan_V1_Evaluation, to status: Caravan_V1_EvaluationStatus, because description: String,
        at time: Date
    ) -> Caravan_V1_StateCommand {
        var updated = eval
        updated.status = status
        updated.statusDescription = description
        var command = StateCommands.envelope(at: time)
        command.upsertEvals = Caravan_V1_UpsertEvalsCommand.with { $0.evals = [updated] }
        return command
    }

    public static func evaluation(
        for job: Caravan_V1_Job, trigger: Trigger, nodeID: String = "", at time: Date
    ) -> Caravan_V1_Evaluation {
        var eval = Caravan_V1_Evaluation()
        eval.id = UUID().uuidString.lowercased()
        eval.namespace = job.namespace.isEmpty ? "default" : job.namespace
        eval.priority = job.priority == 0 ? 50 : job.priority
        eval.type = schedulerType(of: job.type)
        eval.triggeredBy = trigger.rawValue
        eval.jobID = job.id
        eval.jobModifyIndex = job.jobModifyIndex
        eval.nodeID = nodeID
        eval.status = .pending
        eval.createTime = Google_Protobuf_Timestamp(date: time)
        return eval
    }
}
