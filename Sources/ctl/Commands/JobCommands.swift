import ArgumentParser
import CaravanDaemon
import CaravanProto
import Spec

/// `ctl job`: submit, plan, stop and inspect jobs, plus the offline `validate` and `inspect -local`.
public struct JobCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "job",
        abstract: "Submit, plan, stop, inspect, validate, revert and promote jobs.",
        subcommands: [
            JobRunCommand.self, JobPlanCommand.self, JobStopCommand.self, JobStatusCommand.self,
            JobInspectCommand.self, JobValidateCommand.self, JobPeriodicCommand.self,
            JobDispatchCommand.self, JobHistoryCommand.self, JobRevertCommand.self, JobPromoteCommand.self,
        ]
    )

    public init() {}
}

struct JobValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a job file offline: syntax, types, unknown keys and cross-references.",
        discussion: """
            Nomad job files (HCL2, or the older HCL1 style with numbers as strings) and Caravan's JSON jobs. \
            Problems are printed as file:line:col: message, all of them at once.
            Exit status: 0 when valid, 1 when not, 64 for bad flags.
            """
    )

    @OptionGroup var spec: SpecFileOptions

    func run() async throws {
        try reportingDiagnostics {
            let job = try JobSpec.decode(try spec.source(), variables: try spec.variableInputs())
            print("Job validation successful: \(job.id) (\(job.taskGroups.count) group(s))")
        }
    }
}

struct JobInspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print a job as Caravan stores it, with defaults filled in.",
        discussion: """
            Prints the servers' current version of JOB as JSON. With -local, decodes FILE offline instead (no \
            server needed), the form `ctl job run` accepts for .json files.
            Exit status: 0 on success, 1 when the call fails or the file is invalid, 64 for bad flags.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var scope: NamespaceOption
    @Flag(name: .hashicorp("local"), help: "Decode a local job file instead of asking the servers.") var local = false
    @Flag(name: .hashicorp("json"), help: "Print JSON (the only output format of inspect).") var json = false
    @OptionGroup var variables: SpecVariableOptions
    @Argument(help: "The job's ID; with -local, a job file (HCL, or JSON when it ends in .json; - reads stdin).")
    var target: String

    func run() async throws {
        if local {
            try reportingDiagnostics {
                let job = try JobSpec.decode(try SpecFileOptions.read(target), variables: try variables.inputs())
                print(try job.jsonString())
            }
            return
        }
        try await runVerb {
            var request = Caravan_V1_GetJobRequest()
            request.jobID = target
            request.query.namespace = scope.resolved
            let response = try await connection.dialer().withClient(try connection.target()) { client in
                try await Caravan_V1_Jobs.Client(wrapping: client).get(request)
            }
            print(try response.job.jsonString())
            return 0
        }
    }
}
