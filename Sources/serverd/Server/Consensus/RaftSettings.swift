/// Timing and sizing of the consensus loop. Defaults suit a LAN; tests shorten the snapshot threshold.
public struct RaftSettings: Sendable, Hashable {
    /// One logical Raft tick.
    public var tickInterval: Duration = .milliseconds(50)
    /// Election timeout in ticks (randomized in [n, 2n)): 1–2 s by default.
    public var electionTicks = 20
    /// Heartbeat interval in ticks: 100 ms by default.
    public var heartbeatTicks = 2
    /// Take a snapshot after this many entries were applied since the last one.
    public var snapshotThreshold: UInt64 = 8192
    /// Entries kept in the log behind a snapshot, so slightly lagging followers get entries, not a snapshot.
    public var trailingLogs: UInt64 = 1024
    /// Snapshot files kept on disk.
    public var retainedSnapshots = 2
    /// How long a write or a linearizable read may wait for the cluster.
    public var requestTimeout: Duration = .seconds(10)
    public var maxInflight = 256
    public var maxEntriesPerMessage = 512

    public init() {}
}
