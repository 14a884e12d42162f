import ArgumentParser
import CaravanProto
import Foundation

/// `ctl node`: look at client nodes and control whether they take new work.
public struct NodeCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Inspect client nodes, set their scheduling eligibility and drain them.",
        subcommands: [NodeStatusCommand.self, NodeEligibilityCommand.self, NodeDrainCommand.self]
    )

    public init() {}
}

/// `ctl node status`: all nodes, or one with its allocations.
struct NodeStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "List nodes, or show one node and its allocations.",
        discussion: """
            NODE_ID may be a unique prefix of the ID. -verbose prints full IDs and the node's attributes.
            Exit status: 0 on success, 1 when the call fails (not found, or a prefix matching several), 64 for \
            bad arguments.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Flag(name: .hashicorp("json"), help: "Print the API's JSON.") var json = false
    @Flag(name: .hashicorp("verbose"), help: "Print full IDs and the node's attributes.") var verbose = false
    @Argument(help: "The node's ID (or a unique prefix of it).") var nodeID: String?

    func run() async throws {
        try await runVerb {
            print(try await execute())
            return 0
        }
    }

    func execute() async throws -> String {
        let dialer = try connection.dialer()
        let target = try connection.target()
        guard let nodeID else {
            let nodes = try await dialer.withClient(target) { client in
                try await Caravan_V1_Nodes.Client(wrapping: client).list(.init()).nodes
            }
            return json ? try VarFormatter.jsonArray(nodes) : NodeFormatter.list(nodes, verbose: verbose)
        }
        let (node, allocations) = try await dialer.withClient(target) { client in
            let nodes = Caravan_V1_Nodes.Client(wrapping: client)
            let node = try await nodes.get(.with { $0.nodeID = nodeID }).node
            let allocations = try await nodes.allocations(.with { $0.nodeID = node.id }).allocations
            return (node, allocations)
        }
        if json {
            return "{\"node\":\(try node.jsonString()),\"allocations\":\(try VarFormatter.jsonArray(allocations))}"
        }
        return NodeFormatter.detail(node, allocations: allocations, now: Date(), verbose: verbose)
    }
}

/// `ctl node eligibility`: allow or forbid new placements on a node; running allocations stay.
struct NodeEligibilityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eligibility",
        abstract: "Allow (-enable) or forbid (-disable) new placements on a node.",
        discussion: """
            An ineligible node keeps its allocations but receives no new ones. Give exactly one of -enable or \
            -disable. NODE_ID may be a unique prefix of the ID.
            Exit status: 0 on success, 1 when the call fails, 64 for bad arguments.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Flag(name: .hashicorp("enable"), help: "Make the node eligible for new placements.") var enable = false
    @Flag(name: .hashicorp("disable"), help: "Make the node ineligible for new placements.") var disable = false
    @Argument(help: "The node's ID (or a unique prefix of it).") var nodeID: String

    func validate() throws {
        guard enable != disable else { throw ValidationError("give exactly one of -enable or -disable") }
    }

    func run() async throws {
        try await runVerb {
            let request = Caravan_V1_SetNodeEligibilityRequest.with {
                $0.nodeID = nodeID
                $0.eligible = enable
            }
            _ = try await connection.dialer().withClient(try connection.target()) { client in
                try await Caravan_V1_Nodes.Client(wrapping: client).setEligibility(request)
            }
            let state = enable ? "eligible" : "ineligible"
            print("Node \"\(nodeID)\" scheduling eligibility set: \(state) for scheduling")
            return 0
        }
    }
}
