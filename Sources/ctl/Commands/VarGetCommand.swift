import ArgumentParser
import CaravanProto
import CaravanRPC

/// `ctl var get`: print one variable, one of its items, or its JSON.
struct VarGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Print a variable with its items.",
        discussion: """
            Prints the variable at PATH: namespace, path, indexes, times and items. A missing variable is an error.
            Exit status: 0 on success, 1 when the call fails (not found, say), 64 for bad arguments.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var scope: VarScopeOptions

    @Option(name: .hashicorp("item"), help: "Print only the value of this item, as it is (for scripts).")
    var item: String?

    @Flag(name: .hashicorp("json"), help: "Print the variable in the API's JSON form.") var json = false

    @Flag(
        name: .hashicorp("stale"),
        help: "Let any server answer from its own state, without asking the leader (faster, possibly behind)."
    )
    var stale = false

    @Argument(help: "The variable's path, e.g. jobs/api/db.") var path: String

    func run() async throws {
        try await runVarCommand { try await execute() }
    }

    /// Checks the arguments, fetches the variable and renders it (throws `VarUsageError` before dialing).
    func execute() async throws -> CommandOutput {
        let namespace = scope.resolvedNamespace
        if item != nil && json { throw VarUsageError("give -item or -json, not both") }
        try VarArguments.checkAddress(path: path, namespace: namespace)
        var request = Caravan_V1_GetVariableRequest()
        request.path = path
        request.query.namespace = namespace
        request.query.allowStale = stale
        let response = try await connection.dialer().withClient(try connection.target()) { client in
            try await Caravan_V1_Variables.Client(wrapping: client).get(request)
        }
        let variable = response.variable
        if let item {
            guard let value = variable.items[item] else {
                let keys = variable.items.keys.sorted().joined(separator: ", ")
                throw CaravanError.notFound("variable \"\(variable.path)\" has no item \"\(item)\" (it has: \(keys))")
            }
            return CommandOutput(stdout: value)
        }
        return CommandOutput(stdout: json ? try variable.jsonString() : VarFormatter.block(variable))
    }
}
