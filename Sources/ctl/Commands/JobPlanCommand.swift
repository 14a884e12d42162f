import ArgumentParser
import CaravanDaemon
import CaravanProto
import Spec

/// `ctl job plan`: a dry run of `job run` that shows what the scheduler would do, as `nomad job plan` does.
struct JobPlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what submitting a job would change, without changing anything.",
        discussion: """
            Decodes FILE locally, asks the servers for a dry run and prints per task group the allocations that \
            would be created, destroyed or updated, any placement failures, and the job modify index to pass to \
            `ctl job run -check-index` so the job is only submitted if nobody changed it meanwhile.
            Exit status (as nomad job plan): 0 when no allocations would be created or destroyed, 1 when some \
            would, 255 for an invalid job or a failed call, 64 for bad arguments.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var scope: NamespaceOption
    @Flag(name: .hashicorp("json"), help: "Print the plan in the API's JSON form (same exit status).") var json = false
    @OptionGroup var spec: SpecFileOptions

    func run() async throws {
        try await runVerb(errorStatus: 255) {
            var job = try JobSpec.decode(try spec.source(), variables: try spec.variableInputs())
            if let namespace = scope.namespace ?? ConnectionOptions.environment("CARAVAN_NAMESPACE") {
                job.namespace = namespace
            }
            var request = Caravan_V1_PlanJobRequest()
            request.job = job
            request.diff = true
            let plan = try await connection.dialer().withClient(try connection.target()) { client in
                try await Caravan_V1_Jobs.Client(wrapping: client).plan(request)
            }
            print(json ? try plan.jsonString() : JobPlanFormatter.render(jobID: job.id, file: spec.file, plan: plan))
            return JobPlanFormatter.exitStatus(plan)
        }
    }
}
