import ArgumentParser
import CaravanDaemon
import Spec

/// `ctl config`: mesh config entries in Consul's format, written to and read from meshd.
public struct ConfigCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Write, read, list, delete and validate mesh config entries.",
        discussion: """
            Kinds: service-defaults, service-router, service-splitter, service-resolver and service-intentions, \
            written in HCL or JSON as Consul's documentation writes them. `validate` works offline; the other \
            verbs talk to meshd.
            """ + "\n" + MeshHelp.meshd,
        subcommands: [
            ConfigWriteCommand.self, ConfigReadCommand.self, ConfigListCommand.self, ConfigDeleteCommand.self,
            ConfigValidateCommand.self,
        ]
    )

    public init() {}
}

struct ConfigValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a config entry file offline, as Consul's documentation writes them (HCL or JSON).",
        discussion: """
            Keys in CamelCase or snake_case. Problems are printed as file:line:col: message, all of them at once.
            Exit status: 0 when valid, 1 when not, 64 for bad flags.
            """
    )

    @Argument(help: "The config entry file: HCL, or JSON when it ends in .json. - reads standard input.")
    var file: String

    func run() async throws {
        try reportingDiagnostics {
            let entry = try ConfigEntrySpec.decode(try SpecFileOptions.read(file))
            print("Config entry is valid: \(entry.kind) \"\(entry.name)\"")
        }
    }
}
