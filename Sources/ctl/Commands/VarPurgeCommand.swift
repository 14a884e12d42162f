import ArgumentParser
import CaravanProto

/// `ctl var purge`: delete a variable, optionally check-and-set.
struct VarPurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Delete a variable.",
        discussion: """
            Removes the variable at PATH with all its items. Purging a variable that does not exist succeeds, \
            unless -check-index says it must exist.
            Exit status: 0 on success, 1 when the call fails (a -check-index conflict, say), 64 for bad arguments.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var scope: VarScopeOptions

    @Option(
        name: .hashicorp("check-index"),
        help: ArgumentHelp(
            "Delete only if the variable's modify index is still N, so a change made meanwhile is not lost.",
            valueName: "N"
        )
    )
    var checkIndex: UInt64?

    @Argument(help: "The variable's path, e.g. jobs/api/db.") var path: String

    func run() async throws {
        try await runVarCommand { try await execute() }
    }

    /// Checks the arguments and deletes the variable (throws `VarUsageError` before dialing).
    func execute() async throws -> CommandOutput {
        let namespace = scope.resolvedNamespace
        try VarArguments.checkAddress(path: path, namespace: namespace)
        var request = Caravan_V1_DeleteVariableRequest()
        request.path = path
        request.namespace = namespace
        if let checkIndex { request.checkIndex = checkIndex }
        _ = try await connection.dialer().withClient(try connection.target()) { client in
            try await Caravan_V1_Variables.Client(wrapping: client).delete(request)
        }
        return CommandOutput(stdout: "Successfully purged variable \"\(path)\"!")
    }
}
