import ArgumentParser
import CaravanProto
import Spec

struct ConfigWriteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write",
        abstract: "Create or replace a config entry from a file (HCL, or JSON).",
        discussion: """
            The file is decoded and checked locally first: problems are printed as file:line:col: message and \
            nothing is sent. Prints `Config entry written: KIND/NAME`. With -cas -modify-index N the write \
            happens only if the entry is still at index N (0: only if it does not exist yet).
            \(MeshHelp.meshd)
            Exit status: 0 when written, 1 when the file is invalid or the call fails (a failed -cas included), \
            64 for bad arguments.
            """
    )

    @OptionGroup var connection: MeshConnectionOptions
    @OptionGroup var checkAndSet: CheckAndSetOptions
    @Argument(help: "The config entry file: HCL, or JSON when it ends in .json. - reads standard input.")
    var file: String

    /// Reads and decodes the file (throwing its `Diagnostics` when invalid), then builds the request; the check
    /// index is sent only with -cas.
    func request() throws -> Caravan_V1_ApplyConfigEntryRequest {
        let entry = try ConfigEntrySpec.decode(try SpecFileOptions.read(file))
        return .with {
            $0.entry = entry
            if let checkIndex = checkAndSet.checkIndex { $0.checkIndex = checkIndex }
        }
    }

    func run() async throws {
        try await runVerb {
            let request = try request()
            _ = try await connection.dialer().withClient(try connection.target()) { client in
                try await Caravan_V1_ConfigEntries.Client(wrapping: client).apply(request)
            }
            print("Config entry written: \(request.entry.kind)/\(request.entry.name)")
            return 0
        }
    }
}

struct ConfigDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a config entry; the discovery chains that used it are recompiled.",
        discussion: """
            Prints `Config entry deleted: KIND/NAME`. With -cas -modify-index N the delete happens only if the \
            entry is still at index N.
            """ + "\n" + MeshHelp.meshd + "\n" + MeshHelp.exitStatus
    )

    @OptionGroup var connection: MeshConnectionOptions
    @OptionGroup var address: ConfigEntryAddress
    @OptionGroup var checkAndSet: CheckAndSetOptions

    var request: Caravan_V1_DeleteConfigEntryRequest {
        .with {
            $0.kind = address.resolvedKind
            $0.name = address.resolvedName
            if let index = checkAndSet.checkIndex { $0.checkIndex = index }
        }
    }

    func run() async throws {
        try await runVerb {
            let request = self.request
            _ = try await connection.dialer().withClient(try connection.target()) { client in
                try await Caravan_V1_ConfigEntries.Client(wrapping: client).delete(request)
            }
            print("Config entry deleted: \(request.kind)/\(request.name)")
            return 0
        }
    }
}
