import ArgumentParser
import CaravanProto
import CaravanRPC
import Scheduler
import State

/// `ctl job promote`: promotes the canaries of a job's running deployment, then watches the rollout go on.
struct JobPromoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Promote the canaries of a job's deployment.",
        discussion: """
            Promotes the canaries of JOB's latest deployment (every group, or those named with -group, repeatable) \
            so the rolling update replaces the remaining allocations; then follows the evaluation and the \
            deployment until it ends, unless -detach. Refused, changing nothing, when the job has no running \
            deployment, the deployment has no canaries, or its canaries are not all healthy yet.
            Exit status: 0 when promoted (and, when followed, the deployment succeeded); 1 when refused or the \
            deployment fails; 2 when allocations could not be placed; 64 for bad arguments.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var scope: NamespaceOption
    @Option(name: .hashicorp("group"), help: ArgumentHelp("Promote only this task group (repeatable).", valueName: "G"))
    var groups: [String] = []
    @Flag(name: .hashicorp("detach"), help: "Return once promoted, without watching the rollout.") var detach = false
    @Flag(name: .hashicorp("verbose"), help: "Print full IDs.") var verbose = false
    @Argument(help: "The job's ID.") var job: String

    func run() async throws {
        try await runVerb { try await execute(emit: { print($0) }) }
    }

    func execute(emit: (String) -> Void) async throws -> Int32 {
        try await connection.dialer().withClient(try connection.target()) { client in
            let deployments = try await Caravan_V1_Jobs.Client(wrapping: client).deployments(
                .with {
                    $0.jobID = job
                    $0.query.namespace = scope.resolved
                }
            ).deployments
            guard let latest = deployments.first, latest.isRollingOut else {
                throw CaravanError.failedPrecondition(
                    deployments.first.map {
                        "job \"\(job)\"'s latest deployment \(DisplayText.shortID($0.id)) has ended "
                            + "(\($0.status.displayName)); there is nothing to promote"
                    } ?? "job \"\(job)\" has no deployment to promote")
            }
            let response = try await Caravan_V1_Deployments.Client(wrapping: client).promote(
                .with {
                    $0.deploymentID = latest.id
                    $0.all = groups.isEmpty
                    $0.groups = groups
                })
            return try await DeploymentWriteText.followPromotion(
                response, deployment: latest, client: client, detach: detach, verbose: verbose, emit: emit)
        }
    }
}
