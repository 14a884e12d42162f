import ArgumentParser
import CaravanProto
import Spec

struct ConfigReadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Print one config entry as Consul's JSON.",
        discussion: """
            The output uses Consul's CamelCase keys and durations such as "5s", and can be edited and given back \
            to `ctl config write`.
            """ + "\n" + MeshHelp.meshd + "\n" + MeshHelp.exitStatus + " A missing entry is a failed call."
    )

    @OptionGroup var connection: MeshConnectionOptions
    @OptionGroup var address: ConfigEntryAddress

    func run() async throws {
        try await runVerb {
            let request = Caravan_V1_GetConfigEntryRequest.with {
                $0.kind = address.resolvedKind
                $0.name = address.resolvedName
            }
            let entry = try await connection.dialer().withClient(try connection.target()) { client in
                try await Caravan_V1_ConfigEntries.Client(wrapping: client).get(request).entry
            }
            print(ConfigEntryJSONEncoder.encode(entry))
            return 0
        }
    }
}

struct ConfigListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List config entries: names of one -kind, one per line, or KIND/NAME for every kind.",
        discussion: MeshHelp.meshd + "\n" + MeshHelp.exitStatus
    )

    @OptionGroup var connection: MeshConnectionOptions
    @Option(name: .hashicorp("kind"), help: "Only entries of this kind, e.g. service-resolver.") var kind: String?

    func validate() throws {
        if let kind { try ConfigEntryAddress.check(kind: kind) }
    }

    func run() async throws {
        try await runVerb {
            let request = Caravan_V1_ListConfigEntriesRequest.with { $0.kind = kind ?? "" }
            let entries = try await connection.dialer().withClient(try connection.target()) { client in
                try await Caravan_V1_ConfigEntries.Client(wrapping: client).list(request).entries
            }
            let text = ConfigListFormatter.lines(entries, kind: kind)
            if !text.isEmpty { print(text) }
            return 0
        }
    }
}

/// The lines of `config list`: bare names when one kind was asked for (as Consul prints), else `KIND/NAME`.
enum ConfigListFormatter {
    static func lines(_ entries: [Caravan_V1_ConfigEntry], kind: String?) -> String {
        let lines =
            kind == nil
            ? entries.map { "\($0.kind)/\($0.name)" }
            : entries.filter { $0.kind == kind }.map(\.name)
        return lines.sorted().joined(separator: "\n")
    }
}
