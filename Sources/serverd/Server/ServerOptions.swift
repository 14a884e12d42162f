import ArgumentParser
import CaravanDaemon
import CaravanRPC
import Foundation
import Spec

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

    @Option(
        name: .hashicorp("min-heartbeat-ttl"),
        help: "Shortest time a node may go without heartbeating (grows with the node count), e.g. 10s."
    )
    public var minHeartbeatTTL: String = "10s"

    @Option(
        name: .hashicorp("heartbeat-grace"),
        help: "Extra time past a node's TTL before it is marked down and its allocations replaced, e.g. 10s."
    )
    public var heartbeatGrace: String = "10s"

    @Option(
        name: .hashicorp("num-schedulers"),
        help: "Scheduler workers on the leader (default: one per core)."
    )
    public var numSchedulers: Int?

    @Option(
        name: .hashicorp("connect-leaf-ttl"),
        help: """
            Lifetime of the workload certificates the Connect CA signs for sidecar proxies, e.g. 72h (Consul's \
            leaf_cert_ttl); proxies renew at 60-90 % of it.
            """
    )
    public var connectLeafTTL: String = "72h"

    public init() {}

    /// `-connect-leaf-ttl` in seconds.
    public func leafTTL() throws -> TimeInterval {
        let ttl = try Self.duration(connectLeafTTL, flag: "connect-leaf-ttl")
        return Double(ttl.components.seconds) + Double(ttl.components.attoseconds) / 1e18
    }

    /// A duration flag in Nomad's notation ("10s", "1m30s"), or a usage error naming the flag.
    static func duration(_ text: String, flag: String) throws -> Duration {
        switch DurationText.nanoseconds(text) {
        case .success(let nanoseconds) where nanoseconds > 0: return .nanoseconds(nanoseconds)
        case .success: throw ValidationError("-\(flag) \(text): must be longer than zero")
        case .failure(let error): throw ValidationError("-\(flag) \(text): \(error)")
        }
    }

    public func leaderSettings() throws -> LeaderDuties.Settings {
        var settings = LeaderDuties.Settings()
        settings.heartbeats.minTTL = try Self.duration(minHeartbeatTTL, flag: "min-heartbeat-ttl")
        settings.heartbeats.grace = try Self.duration(heartbeatGrace, flag: "heartbeat-grace")
        if let numSchedulers { settings.workers = numSchedulers }
        return settings
    }

    public func validate() throws {
        _ = try leaderSettings()
        _ = try leafTTL()
        if let numSchedulers, !(1...64).contains(numSchedulers) {
            throw ValidationError("-num-schedulers \(numSchedulers): must be from 1 to 64")
        }
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
