import CaravanProto
import CaravanRPC
import Foundation
import State

/// `Jobs.Revert` (`ctl job revert`), as Nomad does it: a stored version is registered again as the newest
/// version, with the evaluation that schedules it. Kept apart from `JobsService` so the refusals read as one list
/// and are tested without a server.
enum JobRevert {
    /// The register command and its evaluation id (empty for periodic and parameterized jobs, which get none), or
    /// the refusal. Nothing is read or written here, so a refusal changes nothing.
    static func command(
        for request: Caravan_V1_RevertJobRequest, versions: [Caravan_V1_Job], at time: Date
    ) throws -> (command: Caravan_V1_StateCommand, evalID: String) {
        guard let current = versions.last else {
            throw CaravanError.notFound("job \"\(request.jobID)\" is not registered")
        }
        guard let target = versions.last(where: { $0.version == request.version }) else {
            let kept = versions.map { "\($0.version)" }.joined(separator: ", ")
            throw CaravanError.notFound(
                "job \"\(request.jobID)\" has no stored version \(request.version) (versions kept: \(kept))")
        }
        if request.hasEnforcePriorVersion, request.enforcePriorVersion != current.version {
            throw CaravanError.failedPrecondition(
                "job \"\(request.jobID)\" is at version \(current.version), not \(request.enforcePriorVersion); "
                    + "it changed since it was read")
        }
        guard target.version != current.version else {
            throw CaravanError.failedPrecondition(
                "job \"\(request.jobID)\" is already at version \(current.version); there is nothing to revert")
        }
        guard !JobComparison.sameSpecification(target, current) else {
            throw CaravanError.failedPrecondition(
                "version \(target.version) of job \"\(request.jobID)\" has the same specification as the current "
                    + "version \(current.version); reverting would change nothing")
        }
        var register = Caravan_V1_RegisterJobCommand()
        register.job = target
        // Check-and-set on what was read, so a change racing the revert is refused instead of overwritten.
        register.enforceIndex = true
        register.jobModifyIndex = current.jobModifyIndex
        var evalID = ""
        if !target.hasPeriodic && !target.hasParameterized {
            let eval = EvalFactory.evaluation(for: target, trigger: .jobRegister, at: time)
            register.eval = eval
            evalID = eval.id
        }
        var command = StateCommands.envelope(at: time)
        command.registerJob = register
        return (command, evalID)
    }

    /// diffs[i] is versions[i] (newest first) against versions[i+1]: what each version changed.
    static func diffs(newestFirst versions: [Caravan_V1_Job]) -> [Caravan_V1_JobDiff] {
        zip(versions, versions.dropFirst()).map { newer, older in JobDiffer.diff(old: older, new: newer) }
    }
}
