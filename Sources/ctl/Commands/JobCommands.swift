import ArgumentParser
import CaravanDaemon
import Spec

/// `ctl job`: work with jobs. Offline verbs here; the ones that talk to servers arrive with the scheduler.
public struct JobCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "job",
        abstract: "Validate and inspect job files.",
        subcommands: [JobValidateCommand.self, JobInspectCommand.self]
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
            With -local, decodes FILE offline (no server needed) and prints the job as JSON, the form \
            `ctl job run` accepts for .json files. Exit status: 0 on success, 1 on invalid input, 64 for bad flags.
            """
    )

    @Flag(name: .hashicorp("local"), help: "Decode a local job file instead of asking the servers.") var local = false
    @Flag(name: .hashicorp("json"), help: "Print JSON (the only output format of inspect).") var json = false
    @OptionGroup var spec: SpecFileOptions

    func validate() throws {
        guard local else {
            throw ValidationError("inspect needs -local FILE until the servers serve jobs (the scheduler issue)")
        }
    }

    func run() async throws {
        try reportingDiagnostics {
            let job = try JobSpec.decode(try spec.source(), variables: try spec.variableInputs())
            print(try job.jsonString())
        }
    }
}
