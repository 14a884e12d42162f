import ArgumentParser
import CaravanProto

/// `ctl job revert`: runs a stored version of a job again (as a new version), then watches it roll out.
struct JobRevertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revert",
        abstract: "Revert a job to one of its stored versions.",
        discussion: """
            Registers version VERSION of JOB again; it becomes the job's newest version (`ctl job history` lists \
            the versions kept). Then, like `ctl job run`, follows the evaluation and the deployment it starts, \
            unless -detach. Refused, changing nothing, when VERSION is not kept, is the current version, or has \
            the current version's specification; -check-version refuses unless the job is still at version N.
            Exit status: 0 when reverted and placed (and the deployment, if any, succeeded) or with -detach; 2 when \
            some allocations could not be placed; 1 when the revert is refused, the evaluation fails or the \
            deployment fails; 64 for bad arguments.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var scope: NamespaceOption
    @Flag(name: .hashicorp("detach"), help: "Return once the job is reverted, without watching the rollout.")
    var detach = false
    @Flag(name: .hashicorp("verbose"), help: "Print full IDs.") var verbose = false
    @Option(
        name: .hashicorp("check-version"),
        help: ArgumentHelp("Revert only if the job's current version is still N.", valueName: "N"))
    var checkVersion: UInt64?
    @Argument(help: "The job's ID.") var job: String
    @Argument(help: "The version to revert to.") var version: UInt64

    func run() async throws {
        try await runVerb { try await execute(emit: { print($0) }) }
    }

    func execute(emit: (String) -> Void) async throws -> Int32 {
        var request = Caravan_V1_RevertJobRequest()
        request.jobID = job
        request.namespace = scope.resolved
        request.version = version
        if let checkVersion { request.enforcePriorVersion = checkVersion }
        return try await connection.dialer().withClient(try connection.target()) { client in
            let response = try await Caravan_V1_Jobs.Client(wrapping: client).revert(request)
            guard !response.evalID.isEmpty else {
                emit("==> Job \"\(job)\" reverted to version \(version) (periodic or parameterized: no evaluation)")
                return 0
            }
            emit("==> Evaluation \"\(response.evalID)\" created for job \"\(job)\" (reverted to version \(version))")
            emit("    Job Modify Index: \(response.jobModifyIndex)")
            guard !detach else { return 0 }
            return try await RolloutMonitor(client: client, verbose: verbose).run(
                evaluationID: response.evalID, jobID: job, namespace: scope.resolved, emit: emit)
        }
    }
}
