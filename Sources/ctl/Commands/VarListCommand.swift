import ArgumentParser
import CaravanProto

/// `ctl var list`: the variables under a path prefix, without their items.
struct VarListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List variables (paths, indexes and times; never items).",
        discussion: """
            Lists the variables whose path starts with PREFIX (all when omitted), sorted by path. With -per-page, \
            prints one page and the token for the next one (on stderr with -json, so stdout stays a JSON array).
            Exit status: 0 on success, 1 when the call fails, 64 for bad arguments.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var scope: VarScopeOptions

    @Flag(name: .hashicorp("json"), help: "Print a JSON array of the variables' metadata in the API's form.")
    var json = false

    @Option(name: .hashicorp("per-page"), help: ArgumentHelp("At most N variables per page (0: all).", valueName: "N"))
    var perPage: UInt32 = 0

    @Option(
        name: .hashicorp("page-token"),
        help: ArgumentHelp("Start at TOKEN, printed by the previous page.", valueName: "TOKEN")
    )
    var pageToken: String = ""

    @Flag(
        name: .hashicorp("stale"),
        help: "Let any server answer from its own state, without asking the leader (faster, possibly behind)."
    )
    var stale = false

    @Argument(help: "Only variables whose path starts with this.") var prefix: String = ""

    func run() async throws {
        try await runVarCommand { try await execute() }
    }

    /// Fetches one page (all variables without -per-page) and renders it.
    func execute() async throws -> CommandOutput {
        var request = Caravan_V1_ListVariablesRequest()
        request.query.namespace = scope.resolvedNamespace
        request.query.prefix = prefix
        request.query.allowStale = stale
        request.perPage = perPage
        request.nextToken = pageToken
        let response = try await connection.dialer().withClient(try connection.target()) { client in
            try await Caravan_V1_Variables.Client(wrapping: client).list(request)
        }
        let next = response.nextToken.isEmpty ? "" : "Next page token: \(response.nextToken)"
        if json {
            return CommandOutput(stdout: try VarFormatter.jsonArray(response.variables), stderr: next)
        }
        let table = VarFormatter.table(response.variables)
        return CommandOutput(stdout: next.isEmpty ? table : table + "\n\n" + next)
    }
}
