import ArgumentParser
import CaravanProto
import Foundation

/// `ctl deployment`: list and inspect deployments (rollouts of job versions), and steer them.
public struct DeploymentCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "deployment",
        abstract: "List, inspect, promote, fail, pause and resume deployments.",
        discussion: """
            A deployment is the rollout of one job version with an update stanza. IDs may be shortened to a \
            unique prefix; an ambiguous prefix is refused with the matches.
            """,
        subcommands: [
            DeploymentListCommand.self, DeploymentStatusCommand.self, DeploymentPromoteCommand.self,
            DeploymentFailCommand.self, DeploymentPauseCommand.self, DeploymentResumeCommand.self,
        ]
    )

    public init() {}
}

struct DeploymentListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List deployments, newest first.",
        discussion: "Exit status: 0 on success, 1 when the call fails, 64 for bad arguments."
    )

    @OptionGroup var connection: ConnectionOptions
    @Flag(name: .hashicorp("json"), help: "Print the API's JSON instead of a table.") var json = false
    @Flag(name: .hashicorp("verbose"), help: "Print full IDs.") var verbose = false

    func run() async throws {
        try await runVerb {
            let response = try await connection.dialer().withClient(try connection.target()) { client in
                try await Caravan_V1_Deployments.Client(wrapping: client).list(.init())
            }
            print(
                json
                    ? try VarFormatter.jsonArray(response.deployments)
                    : DeploymentFormatter.list(response.deployments, verbose: verbose))
            return 0
        }
    }
}

struct DeploymentStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show one deployment and its progress per task group.",
        discussion: """
            Shows ID, Job ID, Job Version, Status and Description, then the Deployed table: per task group the \
            desired, placed, healthy and unhealthy allocations, canaries and whether they are promoted, and the \
            progress deadline. -verbose adds the deployment's allocations and prints full IDs.
            Exit status: 0 on success, 1 when the call fails (no such deployment, an ambiguous prefix), 64 for \
            bad arguments.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Flag(name: .hashicorp("json"), help: "Print the API's JSON instead of tables.") var json = false
    @Flag(name: .hashicorp("verbose"), help: "Print full IDs and the deployment's allocations.") var verbose = false
    @Argument(help: "The deployment's ID or a unique prefix of it.") var deployment: String

    func run() async throws {
        try await runVerb {
            let (found, allocations) = try await connection.dialer().withClient(try connection.target()) { client in
                let deployments = Caravan_V1_Deployments.Client(wrapping: client)
                let found = try await deployments.get(.with { $0.deploymentID = deployment }).deployment
                guard verbose else { return (found, [Caravan_V1_AllocationListStub]()) }
                let allocs = try await deployments.allocations(.with { $0.deploymentID = found.id }).allocations
                return (found, allocs)
            }
            if json {
                print(try found.jsonString())
                return 0
            }
            var text = DeploymentFormatter.status(found, verbose: verbose)
            if verbose {
                text += "\n\nAllocations\n" + JobStatusFormatter.allocationTable(allocations, now: .now, verbose: true)
            }
            print(text)
            return 0
        }
    }
}
