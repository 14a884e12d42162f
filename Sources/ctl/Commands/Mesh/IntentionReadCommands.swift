import ArgumentParser
import CaravanProto
import Foundation

struct IntentionGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show one intention, by SRC DST or by ID, with its L7 permissions.",
        discussion: MeshHelp.meshd + "\n" + MeshHelp.exitStatus + " A missing intention is a failed call."
    )

    @OptionGroup var connection: MeshConnectionOptions
    @Flag(name: .hashicorp("json"), help: "Print the API's JSON instead of Key = value lines.") var json = false
    @Argument(help: "SRC DST, or the intention's ID.") var selector: [String] = []

    func validate() throws {
        _ = try request()
    }

    func request() throws -> Caravan_V1_GetIntentionRequest {
        switch try IntentionArguments.selector(selector) {
        case .id(let id): .with { $0.id = id }
        case .pair(let pair): .with { $0.pair = pair }
        }
    }

    func run() async throws {
        try await runVerb {
            let request = try request()
            let intention = try await connection.dialer().withClient(try connection.target()) { client in
                try await Caravan_V1_Intentions.Client(wrapping: client).get(request).intention
            }
            print(json ? try intention.jsonString() : IntentionFormatter.block(intention))
            return 0
        }
    }
}

struct IntentionDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete an intention, by SRC DST or by ID.",
        discussion: MeshHelp.meshd + "\n" + MeshHelp.exitStatus
    )

    @OptionGroup var connection: MeshConnectionOptions
    @Argument(help: "SRC DST, or the intention's ID.") var selector: [String] = []

    func validate() throws {
        _ = try request()
    }

    func request() throws -> Caravan_V1_DeleteIntentionRequest {
        switch try IntentionArguments.selector(selector) {
        case .id(let id): .with { $0.id = id }
        case .pair(let pair): .with { $0.pair = pair }
        }
    }

    func run() async throws {
        try await runVerb {
            let request = try request()
            _ = try await connection.dialer().withClient(try connection.target()) { client in
                try await Caravan_V1_Intentions.Client(wrapping: client).delete(request)
            }
            print("Intention deleted.")
            return 0
        }
    }
}

struct IntentionListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List every intention in precedence order.",
        discussion: MeshHelp.meshd + "\n" + MeshHelp.exitStatus
    )

    @OptionGroup var connection: MeshConnectionOptions
    @Flag(name: .hashicorp("json"), help: "Print the API's JSON instead of a table.") var json = false

    func run() async throws {
        try await runVerb {
            let intentions = try await connection.dialer().withClient(try connection.target()) { client in
                try await Caravan_V1_Intentions.Client(wrapping: client).list(.init()).intentions
            }
            print(json ? try VarFormatter.jsonArray(intentions) : IntentionFormatter.table(intentions))
            return 0
        }
    }
}

struct IntentionMatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "List the intentions that apply to a source or a destination, in evaluation order.",
        discussion: """
            Give exactly one of -source and -destination. Prints one `SRC => DST (action)` line per intention, \
            the first line being the one evaluated first.
            """ + "\n" + MeshHelp.meshd + "\n" + MeshHelp.exitStatus
    )

    @OptionGroup var connection: MeshConnectionOptions
    @Option(name: .hashicorp("source"), help: "Intentions whose source matches this service.") var source: String?
    @Option(name: .hashicorp("destination"), help: "Intentions whose destination matches this service.")
    var destination: String?

    func validate() throws {
        _ = try request()
    }

    func request() throws -> Caravan_V1_MatchIntentionsRequest {
        let (by, text): (Caravan_V1_IntentionMatchBy, String)
        switch (source, destination) {
        case (let source?, nil): (by, text) = (.source, source)
        case (nil, let destination?): (by, text) = (.destination, destination)
        default: throw ValidationError("give exactly one of -source or -destination")
        }
        let service = try IntentionArguments.service(text, role: by == .source ? "-source" : "-destination")
        return .with {
            $0.by = by
            $0.name = service.name
            $0.query.namespace = service.namespace
        }
    }

    func run() async throws {
        try await runVerb {
            let request = try request()
            let intentions = try await connection.dialer().withClient(try connection.target()) { client in
                try await Caravan_V1_Intentions.Client(wrapping: client).match(request).intentions
            }
            print(IntentionFormatter.matches(intentions))
            return 0
        }
    }
}
