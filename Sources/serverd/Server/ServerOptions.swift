import ArgumentParser
import CaravanDaemon
import CaravanRPC

/// serverd's flags: the shared agent flags plus its three ports and cluster formation.
public struct ServerOptions: ParsableArguments, Sendable {
    @OptionGroup public var agent: AgentOptions

    @Option(name: .hashicorp("rpc-port"), help: "gRPC port for clients, mesh agents and ctl (0: pick one).")
    public var rpcPort: Int = 4647

    @Option(name: .hashicorp("raft-port"), help: "Port for Raft traffic between servers.")
    public var raftPort: Int = 4648

    @Option(name: .hashicorp("http-port"), help: "Port for the web UI.")
    public var httpPort: Int = 4646

    @Option(
        name: .hashicorp("bootstrap-expect"),
        help: "Number of servers to wait for before electing the first leader (1, 3 or 5 in production)."
    )
    public var bootstrapExpect: Int = 1

    @Option(name: .hashicorp("join"), help: "Comma-separated host:port of other servers to join (retried).")
    public var join: String?

    @Option(
        name: .hashicorp("raft-snapshot-threshold"),
        help: "Applied log entries between two snapshots of the state (as Nomad's raft_snapshot_threshold)."
    )
    public var raftSnapshotThreshold: UInt64 = 8192

    @Option(
        name: .hashicorp("raft-trailing-logs"),
        help: "Log entries kept behind a snapshot, so briefly lagging servers catch up without a snapshot."
    )
    public var raftTrailingLogs: UInt64 = 1024

    public init() {}

    public func validate() throws {
        try validatePort(rpcPort, flag: "rpc-port")
        try validatePort(raftPort, flag: "raft-port")
        try validatePort(httpPort, flag: "http-port")
        guard raftSnapshotThreshold >= 1 else {
            throw ValidationError("-raft-snapshot-threshold must be at least 1")
        }
        guard agent.dataDir != nil else {
            throw ValidationError("-data-dir is required: serverd keeps its Raft log and snapshots there")
        }
        guard (1...9).contains(bootstrapExpect) else {
            throw ValidationError("-bootstrap-expect \(bootstrapExpect): must be from 1 to 9")
        }
        do {
            _ = try joinAddresses()
        } catch let error as CaravanError {
            throw ValidationError("-join: \(error.message)")
        }
    }

    public func joinAddresses() throws -> [HostPort] {
        try join.map { try HostPort.list(parsing: $0, defaultPort: 4648) } ?? []
    }
}
