import ArgumentParser
import CaravanProto

/// `ctl var put`: create or replace a variable, optionally check-and-set.
struct VarPutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put",
        abstract: "Create or replace a variable.",
        discussion: """
            Stores ITEMS at PATH, replacing every item the variable had. Each item is KEY=VALUE, or KEY=@FILE to \
            take the value from a file. Keys are letters, digits and _ - . (templates read keys with - or . through \
            `index`). Arguments are checked before anything is sent.
            Exit status: 0 on success, 1 when the call fails (a -check-index conflict, say), 64 for bad arguments.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var scope: VarScopeOptions

    @Option(
        name: .hashicorp("check-index"),
        help: ArgumentHelp(
            """
            Write only if the variable's modify index is still N (0: only if it does not exist yet), so two \
            editors cannot overwrite each other. A mismatch fails with the index the variable has.
            """,
            valueName: "N"
        )
    )
    var checkIndex: UInt64?

    @Option(
        name: .hashicorp("out"),
        help: "What to print on success: none (a one-line summary), json (the API's JSON) or table."
    )
    var out: VarPutOutput = .none

    @Argument(help: "The variable's path, e.g. jobs/api/db.") var path: String
    @Argument(help: "The items, as KEY=VALUE or KEY=@FILE.") var items: [String] = []

    func run() async throws {
        try await runVarCommand { try await execute() }
    }

    /// Checks the arguments, stores the variable and renders the result (throws `VarUsageError` before dialing).
    func execute() async throws -> CommandOutput {
        let namespace = scope.resolvedNamespace
        let items = try VarArguments.items(self.items)
        try VarArguments.checkPut(path: path, namespace: namespace, items: items)
        var request = Caravan_V1_PutVariableRequest()
        request.variable.path = path
        request.variable.namespace = namespace
        request.variable.items = items
        if let checkIndex { request.checkIndex = checkIndex }
        let response = try await connection.dialer().withClient(try connection.target()) { client in
            try await Caravan_V1_Variables.Client(wrapping: client).put(request)
        }
        let stored = response.variable
        switch out {
        case .none:
            let verb = stored.createIndex == stored.modifyIndex ? "Created" : "Updated"
            return CommandOutput(stdout: "\(verb) variable \"\(stored.path)\" with modify index \(stored.modifyIndex)")
        case .json:
            return CommandOutput(stdout: try stored.jsonString())
        case .table:
            return CommandOutput(stdout: VarFormatter.block(stored))
        }
    }
}

/// The formats `ctl var put -out` prints.
enum VarPutOutput: String, ExpressibleByArgument, CaseIterable, Sendable {
    case none, json, table
}
