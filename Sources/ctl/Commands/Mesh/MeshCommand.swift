import ArgumentParser
import CaravanProto
import CaravanRPC
import Foundation

/// `ctl mesh`: look at how meshd routes a service, and at the Connect CA.
public struct MeshCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mesh",
        abstract: "Show compiled discovery chains and manage the Connect CA.",
        discussion: MeshHelp.meshd,
        subcommands: [MeshChainCommand.self, MeshCACommand.self]
    )

    public init() {}
}

struct MeshChainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chain",
        abstract: "Compile a service's discovery chain and print it as a tree.",
        discussion: """
            Shows the routers, splitters and resolvers a request to NAME passes through, down to the targets \
            (service, subset, datacenter) with their filters, failover targets and redirects. -protocol compiles \
            as if the service spoke that protocol (a what-if; proxies are not affected).
            """ + "\n" + MeshHelp.meshd + "\n" + MeshHelp.exitStatus
    )

    static let protocols = ["tcp", "http", "http2", "grpc"]

    @OptionGroup var connection: MeshConnectionOptions
    @Option(name: .hashicorp("protocol"), help: "Compile as if the service spoke tcp, http, http2 or grpc.")
    var overrideProtocol: String?
    @Flag(name: .hashicorp("json"), help: "Print the API's JSON instead of a tree.") var json = false
    @Argument(help: "The service whose chain to compile.") var name: String

    func validate() throws {
        guard !name.isEmpty else { throw ValidationError("give the service's name") }
        if let overrideProtocol, !Self.protocols.contains(overrideProtocol) {
            throw ValidationError(
                "-protocol \"\(overrideProtocol)\" is not one of " + Self.protocols.joined(separator: ", "))
        }
    }

    var request: Caravan_V1_CompileDiscoveryChainRequest {
        .with {
            $0.service = name
            $0.overrideProtocol = overrideProtocol ?? ""
        }
    }

    func run() async throws {
        try await runVerb {
            let chain = try await connection.dialer().withClient(try connection.target()) { client in
                try await Caravan_V1_DiscoveryChain.Client(wrapping: client).compile(request).chain
            }
            print(json ? try chain.jsonString() : ChainTreeFormatter.format(chain))
            return 0
        }
    }
}

struct MeshCACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ca",
        abstract: "List the Connect CA's roots and rotate the active one.",
        discussion: """
            The Connect CA signs the workload certificates proxies use for mTLS. Its private keys stay on the \
            servers; these verbs see public certificates only.
            """ + "\n" + MeshHelp.meshd,
        subcommands: [MeshCARootsCommand.self, MeshCARotateCommand.self]
    )
}

struct MeshCARootsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roots",
        abstract: "List the CA's roots; -pem prints the active root's certificate.",
        discussion: MeshHelp.meshd + "\n" + MeshHelp.exitStatus
    )

    @OptionGroup var connection: MeshConnectionOptions
    @Flag(name: .hashicorp("pem"), help: "Print the active root certificate as PEM.") var pem = false
    @Flag(name: .hashicorp("verbose"), help: "Print full IDs.") var verbose = false

    func run() async throws {
        try await runVerb {
            let response = try await connection.dialer().withClient(try connection.target()) { client in
                try await Caravan_V1_ConnectCA.Client(wrapping: client).roots(.init())
            }
            print(pem ? try CARootsFormatter.activePEM(response) : CARootsFormatter.table(response, verbose: verbose))
            return 0
        }
    }
}

struct MeshCARotateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Make a new active root, cross-signed by the old one, and print its ID.",
        discussion: """
            Leaves signed by the old root stay trusted until they expire; proxies receive new leaves as they \
            renew.
            """ + "\n" + MeshHelp.meshd + "\n" + MeshHelp.exitStatus
    )

    @OptionGroup var connection: MeshConnectionOptions

    func run() async throws {
        try await runVerb {
            let response = try await connection.dialer().withClient(try connection.target()) { client in
                try await Caravan_V1_ConnectCA.Client(wrapping: client).rotate(.init())
            }
            print("New active root: \(response.activeRootID)")
            return 0
        }
    }
}
