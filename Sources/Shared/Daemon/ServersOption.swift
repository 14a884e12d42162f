import ArgumentParser
import CaravanRPC

/// `-servers a:p,b:p`: the serverd RPC addresses an agent (clientd, meshd) talks to.
public struct ServersOption: ParsableArguments, Sendable {
    @Option(name: .hashicorp("servers"), help: "Comma-separated host:port of servers (RPC port, default 4647).")
    public var servers: String?

    public init() {}

    public func validate() throws {
        do {
            _ = try addresses()
        } catch let error as CaravanError {
            throw ValidationError("-servers: \(error.message)")
        }
    }

    public func addresses() throws -> [HostPort] {
        try servers.map { try HostPort.list(parsing: $0, defaultPort: 4647) } ?? []
    }

    /// The addresses as one string for status details; nil when none were given.
    public func detail() throws -> String? {
        let list = try addresses()
        return list.isEmpty ? nil : list.map(\.description).joined(separator: ",")
    }
}
