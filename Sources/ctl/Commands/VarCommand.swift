import ArgumentParser
import CaravanDaemon
import Foundation

/// `ctl var`: read and write variables, Nomad's `nomad var` for Caravan.
public struct VarCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "var",
        abstract: "Read and write variables: small sets of secrets or settings stored under a path.",
        discussion: """
            A variable lives at a path such as jobs/api/db (letters, digits and - _ ~ / ., up to 128 characters, \
            no leading or trailing /) in a namespace, and holds items KEY=VALUE, at most 64 KiB in all. Writes \
            go through the servers' Raft log.
            """,
        subcommands: [VarPutCommand.self, VarGetCommand.self, VarListCommand.self, VarPurgeCommand.self]
    )

    public init() {}
}

/// Options every `ctl var` command takes besides the connection.
struct VarScopeOptions: ParsableArguments, Sendable {
    @Option(
        name: .hashicorp("namespace"),
        help: "Namespace of the variables (env CARAVAN_NAMESPACE; default \"default\")."
    )
    var namespace: String?

    /// The namespace to send: the flag, else CARAVAN_NAMESPACE, else "" (the server reads it as "default").
    var resolvedNamespace: String {
        namespace ?? ConnectionOptions.environment("CARAVAN_NAMESPACE") ?? ""
    }
}

/// A problem with a `ctl var` command's arguments, found before dialing; printed as one line, exit status 64.
struct VarUsageError: Error, Equatable, CustomStringConvertible {
    var message: String

    init(_ message: String) { self.message = message }

    var description: String { message }
}

/// What a `ctl var` command prints: stdout, plus notes for stderr (kept apart so `-json` output stays parseable).
struct CommandOutput: Sendable, Equatable {
    var stdout: String
    var stderr: String = ""
}

/// Runs a `ctl var` command: prints its output, or its error as one `Error:` line (exit 64 for bad arguments,
/// 1 when the call fails).
func runVarCommand(_ body: () async throws -> CommandOutput) async throws {
    try await reportingErrors {
        let output: CommandOutput
        do {
            output = try await body()
        } catch let usage as VarUsageError {
            FileHandle.standardError.write(Data("Error: \(usage.message)\n".utf8))
            throw ExitCode.validationFailure
        }
        if !output.stdout.isEmpty { print(output.stdout) }
        if !output.stderr.isEmpty { FileHandle.standardError.write(Data((output.stderr + "\n").utf8)) }
    }
}
