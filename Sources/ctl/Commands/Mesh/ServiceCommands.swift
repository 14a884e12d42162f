import ArgumentParser
import CaravanProto
import Foundation

/// `ctl service`: the catalog of services registered from allocations, as `consul catalog services` shows it.
public struct ServiceCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "service",
        abstract: "List services in the catalog and show their instances.",
        discussion: "Instances are registered by the clients running the allocations. " + MeshHelp.serverd,
        subcommands: [ServiceListCommand.self, ServiceInfoCommand.self]
    )

    public init() {}
}

struct ServiceListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List services with their tags, instance counts and whether they are in the mesh.",
        discussion: MeshHelp.serverd + "\n" + MeshHelp.exitStatus
    )

    @OptionGroup var connection: ConnectionOptions
    @Flag(name: .hashicorp("json"), help: "Print the API's JSON instead of a table.") var json = false

    func run() async throws {
        try await runVerb {
            let response = try await connection.dialer().withClient(try connection.target()) { client in
                try await Caravan_V1_Catalog.Client(wrapping: client).listServices(.init())
            }
            print(json ? try response.jsonString() : ServiceFormatter.list(response.services))
            return 0
        }
    }
}

struct ServiceInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show the instances of one service: allocation, node, address, health, tags and sidecar.",
        discussion: """
            -passing keeps healthy instances only, -tag (repeatable) those carrying every given tag, and \
            -connect lists the service's mesh endpoints (its sidecars, or native instances) instead.
            """ + "\n" + MeshHelp.serverd + "\n" + MeshHelp.exitStatus
    )

    @OptionGroup var connection: ConnectionOptions
    @Flag(name: .hashicorp("passing"), help: "Only instances whose checks pass.") var passing = false
    @Option(name: .hashicorp("tag"), help: "Only instances with this tag (repeatable).") var tags: [String] = []
    @Flag(name: .hashicorp("connect"), help: "The mesh endpoints instead of the app ports.") var connect = false
    @Flag(name: .hashicorp("json"), help: "Print the API's JSON instead of a table.") var json = false
    @Flag(name: .hashicorp("verbose"), help: "Print full IDs.") var verbose = false
    @Argument(help: "The service's name.") var name: String

    func validate() throws {
        guard !name.isEmpty else { throw ValidationError("give the service's name") }
        if let empty = tags.firstIndex(where: \.isEmpty) {
            throw ValidationError("-tag #\(empty + 1) is empty; give a tag name")
        }
    }

    /// The catalog query these flags ask for.
    var request: Caravan_V1_ListServiceInstancesRequest {
        .with {
            $0.name = name
            $0.passingOnly = passing
            $0.tags = tags
            $0.connect = connect
        }
    }

    func run() async throws {
        try await runVerb {
            let response = try await connection.dialer().withClient(try connection.target()) { client in
                try await Caravan_V1_Catalog.Client(wrapping: client).serviceInstances(request)
            }
            print(
                json
                    ? try VarFormatter.jsonArray(response.instances)
                    : ServiceFormatter.instances(response.instances, service: name, verbose: verbose))
            return 0
        }
    }
}
