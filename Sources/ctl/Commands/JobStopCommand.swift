import ArgumentParser
import CaravanProto

/// `ctl job stop`: stop a job's allocations (or purge it) and follow the evaluation, as `nomad job stop` does.
struct JobStopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Stop a job (and with -purge remove it from state).",
        discussion: """
            Deregisters JOB: its allocations are stopped; the job stays visible as dead until garbage-collected, \
            or is removed at once with -purge. Follows the resulting evaluation unless -detach.
            Exit status: 0 on success, 2 when the evaluation reports placement failures, 1 when the call fails \
            (no such job, say) or the evaluation failed, 64 for bad arguments.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var scope: NamespaceOption
    @Flag(name: .hashicorp("purge"), help: "Remove the job from state instead of marking it stopped.") var purge = false
    @Flag(name: .hashicorp("detach"), help: "Return once the job is deregistered.") var detach = false
    @Flag(name: .hashicorp("verbose"), help: "Print full IDs.") var verbose = false
    @Argument(help: "The job's ID.") var job: String

    func run() async throws {
        try await runVerb {
            var request = Caravan_V1_DeregisterJobRequest()
            request.jobID = job
            request.namespace = scope.resolved
            request.purge = purge
            return try await connection.dialer().withClient(try connection.target()) { client in
                let response = try await Caravan_V1_Jobs.Client(wrapping: client).deregister(request)
                guard !response.evalID.isEmpty else {
                    print("==> Job \"\(job)\" \(purge ? "purged" : "stopped")")
                    return 0
                }
                print("==> Evaluation \"\(response.evalID)\" created to stop job \"\(job)\"")
                guard !detach else { return 0 }
                let monitor = EvalMonitor(source: ServerEvaluationSource(client: client), verbose: verbose)
                return try await monitor.run(evaluationID: response.evalID) { print($0) }
            }
        }
    }
}
