import ArgumentParser
import CaravanProto

/// `ctl job periodic`: act on periodic jobs outside their schedule.
struct JobPeriodicCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "periodic",
        abstract: "Act on periodic jobs.",
        subcommands: [JobPeriodicForceCommand.self]
    )
}

/// `ctl job periodic force JOB`: launch a periodic job's child now, as `nomad job periodic force` does.
struct JobPeriodicForceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "force",
        abstract: "Launch a periodic job now, regardless of its schedule.",
        discussion: """
            Creates a child job JOB/periodic-<unix time> and follows its evaluation unless -detach. The schedule \
            is not moved: the next tick still launches, and prohibit_overlap does not apply to a forced launch.
            Exit status: 0 on success, 2 when the evaluation reports placement failures, 1 when the call fails \
            (no such job, or JOB is not periodic) or the evaluation failed, 64 for bad arguments.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var scope: NamespaceOption
    @Flag(name: .hashicorp("detach"), help: "Return once the child job is created.") var detach = false
    @Flag(name: .hashicorp("verbose"), help: "Print full IDs.") var verbose = false
    @Argument(help: "The periodic job's ID.") var job: String

    func run() async throws {
        try await runVerb {
            var request = Caravan_V1_ForcePeriodicJobRequest()
            request.jobID = job
            request.namespace = scope.resolved
            return try await connection.dialer().withClient(try connection.target()) { client in
                let response = try await Caravan_V1_Jobs.Client(wrapping: client).forcePeriodic(request)
                print("Job \"\(job)\" launched as \"\(response.dispatchedJobID)\"")
                print("==> Evaluation \"\(response.evalID)\" created")
                guard !detach else { return 0 }
                let monitor = EvalMonitor(source: ServerEvaluationSource(client: client), verbose: verbose)
                return try await monitor.run(evaluationID: response.evalID) { print($0) }
            }
        }
    }
}
