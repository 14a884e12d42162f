import CaravanProto
import CaravanRPC
import Foundation
import Scheduler
import State

/// The state commands behind `Deployments.Promote`, `Fail` and `Pause`, built from what the state holds now.
///
/// Pure: every check that can be made before proposing is made here, so a refusal names the exact reason and
/// nothing is proposed; the state machine repeats the checks that could change in between (an ended deployment,
/// unhealthy canaries).
enum DeploymentActions {
    /// A command to propose, the evaluation it carries (if any) and, for a failure with rollback, the version
    /// the job goes back to.
    struct Proposal: Sendable {
        var command: Caravan_V1_StateCommand
        var evalID: String
        var revertedVersion: UInt64?
    }

    /// Promotes canaries (all groups, or those named) with a deployment-watcher evaluation that continues the
    /// rollout, as Nomad's promotion does. Group and health checks are left to the state machine, which refuses
    /// with the reason.
    static func promote(
        _ deployment: Caravan_V1_Deployment, job: Caravan_V1_Job?, all: Bool, groups: [String], at time: Date
    ) throws -> Proposal {
        try requireActive(deployment, verb: "promoted")
        let job = try requireJob(job, of: deployment)
        let eval = EvalFactory.evaluation(for: job, trigger: .deploymentWatcher, at: time)
        var command = StateCommands.envelope(at: time)
        command.promoteDeployment = Caravan_V1_PromoteDeploymentCommand.with {
            $0.deploymentID = deployment.id
            $0.all = all || groups.isEmpty
            $0.groups = all ? [] : groups
            $0.eval = eval
        }
        return Proposal(command: command, evalID: eval.id, revertedVersion: nil)
    }

    /// Marks the deployment failed. When a group asks for auto-revert and an older stable version differs from
    /// the current job (`rollback`), that version is registered again as a new version in the same entry.
    static func fail(
        _ deployment: Caravan_V1_Deployment, job: Caravan_V1_Job?, rollback: Caravan_V1_Job?, at time: Date
    ) throws -> Proposal {
        try requireActive(deployment, verb: "failed")
        let job = try requireJob(job, of: deployment)
        let autoRevert = deployment.taskGroups.values.contains(where: \.autoRevert)
        let target = autoRevert ? rollback : nil
        var update = Caravan_V1_UpdateDeploymentCommand()
        update.update = Caravan_V1_DeploymentStatusUpdate.with {
            $0.deploymentID = deployment.id
            $0.status = .failed
            $0.statusDescription =
                target.map { DeploymentText.rollingBack(DeploymentText.markedFailed, to: $0.version) }
                ?? DeploymentText.markedFailed
        }
        let eval = EvalFactory.evaluation(for: target ?? job, trigger: .deploymentWatcher, at: time)
        if let target { update.revertTo = target }
        update.eval = eval
        var command = StateCommands.envelope(at: time)
        command.updateDeployment = update
        return Proposal(command: command, evalID: eval.id, revertedVersion: target?.version)
    }

    /// Pauses a running deployment, or resumes a paused one with an evaluation that continues it.
    static func pause(_ deployment: Caravan_V1_Deployment, job: Caravan_V1_Job?, pause: Bool, at time: Date) throws
        -> Proposal
    {
        let name = short(deployment.id)
        try requireActive(deployment, verb: pause ? "paused" : "resumed")
        if pause, deployment.status == .paused {
            throw CaravanError(.failedPrecondition, "deployment \(name) is already paused")
        }
        if !pause, deployment.status != .paused {
            throw CaravanError(
                .failedPrecondition,
                "deployment \(name) is \(deployment.status.displayName), not paused; there is nothing to resume")
        }
        var update = Caravan_V1_UpdateDeploymentCommand()
        update.update = Caravan_V1_DeploymentStatusUpdate.with {
            $0.deploymentID = deployment.id
            $0.status = pause ? .paused : .running
            $0.statusDescription = pause ? DeploymentText.paused : DeploymentText.running
        }
        var evalID = ""
        if !pause {
            let eval = EvalFactory.evaluation(
                for: try requireJob(job, of: deployment), trigger: .deploymentWatcher, at: time)
            update.eval = eval
            evalID = eval.id
        }
        var command = StateCommands.envelope(at: time)
        command.updateDeployment = update
        return Proposal(command: command, evalID: evalID, revertedVersion: nil)
    }

    static func requireActive(_ deployment: Caravan_V1_Deployment, verb: String) throws {
        guard deployment.isRollingOut else {
            throw CaravanError(
                .failedPrecondition,
                "deployment \(short(deployment.id)) has already ended (\(deployment.status.displayName)); "
                    + "it cannot be \(verb)")
        }
    }

    static func requireJob(_ job: Caravan_V1_Job?, of deployment: Caravan_V1_Deployment) throws -> Caravan_V1_Job {
        guard let job else {
            throw CaravanError(
                .failedPrecondition,
                "job \"\(deployment.jobID)\" of deployment \(short(deployment.id)) is no longer registered")
        }
        return job
    }

    static func short(_ id: String) -> String { String(id.prefix(8)) }
}
