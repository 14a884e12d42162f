import ArgumentParser
import CaravanProto
import Foundation

/// `ctl intention`: which services may call which, as `consul intention` manages it.
public struct IntentionCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "intention",
        abstract: "Create, delete, inspect, match and check service-to-service intentions.",
        discussion: """
            An intention allows or denies connections from a source service to a destination service; "*" \
            matches any service and NAMESPACE/NAME names one in another namespace. Exact names take precedence \
            over "*". L7 intentions (permissions on HTTP paths, methods and headers) are written as \
            service-intentions config entries with `ctl config write`.
            """ + "\n" + MeshHelp.meshd,
        subcommands: [
            IntentionCreateCommand.self, IntentionDeleteCommand.self, IntentionGetCommand.self,
            IntentionListCommand.self, IntentionMatchCommand.self, IntentionCheckCommand.self,
        ]
    )

    public init() {}
}

struct IntentionCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Allow or deny connections from SRC to DST.",
        discussion: """
            Prints `Created: SRC => DST (allow)`. An intention for the same pair is refused unless -replace is \
            given.
            """ + "\n" + MeshHelp.meshd + "\n" + MeshHelp.exitStatus
    )

    @OptionGroup var connection: MeshConnectionOptions
    @Flag(name: .hashicorp("allow"), help: "Allow the connections (the default).") var allow = false
    @Flag(name: .hashicorp("deny"), help: "Deny the connections.") var deny = false
    @Flag(name: .hashicorp("replace"), help: "Replace an existing intention for the same pair.") var replace = false
    @Option(name: .hashicorp("meta"), help: "Metadata KEY=VALUE (repeatable).") var meta: [String] = []
    @Option(name: .hashicorp("description"), help: "Free-form text saying why.") var description: String?
    @Argument(help: "The source service: NAME, * or NAMESPACE/NAME.") var source: String
    @Argument(help: "The destination service: NAME, * or NAMESPACE/NAME.") var destination: String

    func validate() throws {
        _ = try request()
    }

    /// The request these arguments ask for; throws the usage problem otherwise.
    func request() throws -> Caravan_V1_CreateIntentionRequest {
        if allow && deny { throw ValidationError("-allow and -deny cannot both be given") }
        let source = try IntentionArguments.service(self.source, role: "source")
        let destination = try IntentionArguments.service(self.destination, role: "destination")
        let meta = try IntentionArguments.pairs(meta, flag: "-meta")
        return .with {
            $0.replace = replace
            $0.intention = .with {
                $0.sourceName = source.name
                $0.sourceNamespace = source.namespace
                $0.destinationName = destination.name
                $0.destinationNamespace = destination.namespace
                $0.action = deny ? .deny : .allow
                $0.meta = meta
                $0.description_p = description ?? ""
                $0.sourceType = "consul"
            }
        }
    }

    func run() async throws {
        try await runVerb {
            let request = try request()
            _ = try await connection.dialer().withClient(try connection.target()) { client in
                try await Caravan_V1_Intentions.Client(wrapping: client).create(request)
            }
            print(IntentionFormatter.created(request.intention))
            return 0
        }
    }
}
