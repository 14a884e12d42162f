import ArgumentParser
import CaravanProto
import Foundation

/// `ctl alloc`: look at and stop allocations, browse their files and read their logs.
public struct AllocCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "alloc",
        abstract: "Inspect and stop allocations (placements of a task group on a node), read their files and logs.",
        subcommands: [AllocStatusCommand.self, AllocStopCommand.self, AllocFsCommand.self, AllocLogsCommand.self]
    )

    public init() {}
}

/// `ctl alloc status`: one allocation with its resources, ports and task states.
struct AllocStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show an allocation: status, resources, ports and task events.",
        discussion: """
            ALLOC_ID may be a unique prefix of the ID.
            Exit status: 0 on success, 1 when the call fails (not found, or a prefix matching several), 64 for \
            bad arguments.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Flag(name: .hashicorp("json"), help: "Print the API's JSON.") var json = false
    @Flag(name: .hashicorp("verbose"), help: "Print full IDs.") var verbose = false
    @Argument(help: "The allocation's ID (or a unique prefix of it).") var allocID: String

    func run() async throws {
        try await runVerb {
            let request = Caravan_V1_GetAllocationRequest.with { $0.allocID = allocID }
            let response = try await connection.dialer().withClient(try connection.target()) { client in
                try await Caravan_V1_Allocations.Client(wrapping: client).get(request)
            }
            let alloc = response.allocation
            print(json ? try alloc.jsonString() : AllocFormatter.detail(alloc, now: Date(), verbose: verbose))
            return 0
        }
    }
}

/// `ctl alloc stop`: stop an allocation; the scheduler replaces it through a new evaluation.
struct AllocStopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Stop an allocation (the scheduler places a replacement).",
        discussion: """
            Prints the ID of the evaluation that replaces the allocation; follow it with `ctl eval status`.
            Exit status: 0 on success, 1 when the call fails, 64 for bad arguments.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Flag(name: .hashicorp("no-shutdown-delay"), help: "Skip the group's shutdown_delay.") var noShutdownDelay = false
    @Argument(help: "The allocation's ID (or a unique prefix of it).") var allocID: String

    func run() async throws {
        try await runVerb {
            let request = Caravan_V1_StopAllocationRequest.with {
                $0.allocID = allocID
                $0.noShutdownDelay = noShutdownDelay
            }
            let response = try await connection.dialer().withClient(try connection.target()) { client in
                try await Caravan_V1_Allocations.Client(wrapping: client).stop(request)
            }
            print("==> Allocation \"\(allocID)\" stopping")
            print("    Evaluation ID: \(response.evalID)")
            return 0
        }
    }
}
