import ArgumentParser
import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import SwiftProtobuf

/// `ctl status`: asks any daemon who it is, over mutual TLS.
public struct StatusCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print a daemon's status (name, role, region, version, uptime).",
        discussion: """
            Works against every daemon: serverd (4647), clientd (4649), meshd (8502) and proxyd. The daemon's \
            certificate must chain to the CA; any Caravan role is accepted.
            Exit status: 0 on success, 1 when the call fails, 64 for bad flags.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Flag(name: .hashicorp("json"), help: "Print the status as JSON.") var json = false
    @Flag(
        name: .hashicorp("mesh"),
        help: "Ask meshd: without -address, dial CARAVAN_MESH_ADDR (default 127.0.0.1:8502)."
    )
    var mesh = false

    public init() {}

    public func run() async throws {
        try await reportingErrors {
            let address =
                mesh
                ? try connection.target(environmentKey: "CARAVAN_MESH_ADDR", fallback: "127.0.0.1:8502")
                : try connection.target()
            let response = try await connection.dialer().withClient(address) { client in
                try await Caravan_V1_Agent.Client(wrapping: client).status(Caravan_V1_AgentStatusRequest())
            }
            if json {
                print(try response.jsonString())
            } else {
                print(StatusFormatter.text(response))
            }
        }
    }
}

/// Renders an agent status the way HashiCorp CLIs print records: aligned `Key = value` lines.
enum StatusFormatter {
    static func text(_ status: Caravan_V1_AgentStatusResponse) -> String {
        var rows: [(String, String)] = [
            ("Name", status.name),
            ("Role", roleName(status.role)),
            ("Region", status.region),
            ("Datacenter", status.datacenter),
            ("Version", status.version),
            ("Uptime", duration(status.uptime)),
            ("Address", status.rpcAddress),
        ]
        if !status.leader.isEmpty { rows.append(("Leader", status.leader)) }
        var text = KeyValueTable.render(rows)
        if !status.details.isEmpty {
            let details = status.details.keys.sorted().map { ($0, status.details[$0] ?? "") }
            text += "\n\nDetails\n" + KeyValueTable.render(details)
        }
        return text
    }

    static func roleName(_ role: Caravan_V1_Role) -> String {
        switch role {
        case .server: "server"
        case .client: "client"
        case .mesh: "mesh"
        case .cli: "cli"
        case .proxy: "proxy"
        case .unspecified, .UNRECOGNIZED: "unknown"
        }
    }

    static func duration(_ value: Google_Protobuf_Duration) -> String {
        var seconds = value.seconds
        let hours = seconds / 3600
        seconds %= 3600
        let minutes = seconds / 60
        seconds %= 60
        if hours > 0 { return "\(hours)h\(minutes)m\(seconds)s" }
        if minutes > 0 { return "\(minutes)m\(seconds)s" }
        return "\(seconds)s"
    }
}

/// Aligned `Key = value` rows.
enum KeyValueTable {
    static func render(_ rows: [(String, String)]) -> String {
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { key, value in
            key.padding(toLength: width, withPad: " ", startingAt: 0) + " = " + value
        }.joined(separator: "\n")
    }
}

/// Prints an error as one line on stderr, prefixed `Error:`, and exits 1.
func reportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ExitCode {
        throw error
    } catch {
        FileHandle.standardError.write(Data("Error: \(RPCErrorText.describe(error))\n".utf8))
        throw ExitCode.failure
    }
}
