import ArgumentParser
import CaravanDaemon
import CaravanProto
import Spec

/// `ctl job run`: submit a job file and follow the evaluation it creates, as `nomad job run` does.
struct JobRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Submit a job and watch it being scheduled.",
        discussion: """
            Decodes FILE locally first (problems print as file:line:col: message and nothing is sent), registers \
            the job, then follows the evaluation until the scheduler is done with it, printing the allocations it \
            placed and why any could not be placed. When the job has an update stanza and the version started a \
            deployment, the deployment is then followed until it ends, with a line each time its counts change. \
            -detach returns as soon as the job is registered, watching neither.
            Exit status: 0 when every allocation was placed and the deployment (if any) succeeded, or with -detach; \
            2 when some allocations could not be placed (they wait in a blocked evaluation for capacity; the \
            deployment is not followed then); 1 when the deployment failed or was cancelled (its description says \
            why, and whether the job is rolling back), for an invalid job, a refused call (including a \
            -check-index conflict) or a failed evaluation; 64 for bad arguments.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var scope: NamespaceOption

    @Flag(name: .hashicorp("detach"), help: "Return once the job is registered, without watching the evaluation.")
    var detach = false

    @Option(
        name: .hashicorp("check-index"),
        help: ArgumentHelp(
            "Register only if the job's modify index is still N (0: only if it does not exist), as `job plan` prints.",
            valueName: "N"
        )
    )
    var checkIndex: UInt64?

    @Flag(name: .hashicorp("verbose"), help: "Print full IDs.") var verbose = false

    @OptionGroup var spec: SpecFileOptions

    func run() async throws {
        try await runVerb { try await execute(emit: { print($0) }) }
    }

    /// Decodes, registers and (unless -detach) monitors; returns the exit status.
    func execute(emit: (String) -> Void) async throws -> Int32 {
        var job = try JobSpec.decode(try spec.source(), variables: try spec.variableInputs())
        if let namespace = scope.namespace ?? ConnectionOptions.environment("CARAVAN_NAMESPACE") {
            job.namespace = namespace
        }
        var request = Caravan_V1_RegisterJobRequest()
        request.job = job
        if let checkIndex {
            request.enforceIndex = true
            request.jobModifyIndex = checkIndex
        }
        return try await connection.dialer().withClient(try connection.target()) { client in
            let response = try await Caravan_V1_Jobs.Client(wrapping: client).register(request)
            JobRunText.registered(jobID: job.id, response: response).forEach(emit)
            guard !detach, !response.evalID.isEmpty else { return 0 }
            return try await RolloutMonitor(client: client, verbose: verbose).run(
                evaluationID: response.evalID, jobID: job.id, namespace: job.namespace, emit: emit)
        }
    }
}

/// The lines `ctl job run` prints once the servers accepted the job.
enum JobRunText {
    static func registered(jobID: String, response: Caravan_V1_RegisterJobResponse) -> [String] {
        var lines: [String] = []
        if !response.warnings.isEmpty {
            lines.append("Job Warnings:")
            lines += response.warnings.map { "* \($0)" }
            lines.append("")
        }
        if response.evalID.isEmpty {
            lines.append("==> Job \"\(jobID)\" registered (periodic or parameterized: no evaluation created)")
        } else {
            lines.append("==> Evaluation \"\(response.evalID)\" created for job \"\(jobID)\"")
        }
        lines.append("    Job Modify Index: \(response.jobModifyIndex)")
        return lines
    }
}
