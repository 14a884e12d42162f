import ArgumentParser
import CaravanProto

/// `ctl eval`: look at the scheduler's units of work.
public struct EvalCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Inspect evaluations (the scheduler's units of work).",
        subcommands: [EvalStatusCommand.self]
    )

    public init() {}
}

/// `ctl eval status`: one evaluation with why its placements failed, if they did.
struct EvalStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show an evaluation and its placement failures.",
        discussion: """
            EVAL_ID may be a unique prefix of the ID.
            Exit status: 0 on success, 1 when the call fails (not found, or a prefix matching several), 64 for \
            bad arguments.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Flag(name: .hashicorp("json"), help: "Print the API's JSON.") var json = false
    @Flag(name: .hashicorp("verbose"), help: "Print full IDs.") var verbose = false
    @Argument(help: "The evaluation's ID (or a unique prefix of it).") var evalID: String

    func run() async throws {
        try await runVerb {
            let request = Caravan_V1_GetEvaluationRequest.with { $0.evalID = evalID }
            let response = try await connection.dialer().withClient(try connection.target()) { client in
                try await Caravan_V1_Evaluations.Client(wrapping: client).get(request)
            }
            let evaluation = response.evaluation
            print(json ? try evaluation.jsonString() : EvalFormatter.detail(evaluation, verbose: verbose))
            return 0
        }
    }
}
