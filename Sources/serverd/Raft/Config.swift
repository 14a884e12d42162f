/// The settings of one Raft node.
public struct Config: Sendable, Hashable {
    public var id: NodeID
    /// The voters to start with when neither a snapshot nor the log holds a membership; empty for a server
    /// that waits to be bootstrapped or added.
    public var peers: [NodeID]
    /// Ticks without hearing from a leader before campaigning; the real timeout is randomized in [n, 2n).
    public var electionTick: Int
    /// Ticks between a leader's heartbeats.
    public var heartbeatTick: Int
    public var preVote: Bool
    /// A leader that has not heard from a quorum within an election timeout steps down.
    public var checkQuorum: Bool
    /// The most append messages in flight to one follower in the replicate state.
    public var maxInflight: Int
    public var maxEntriesPerMessage: Int
    /// Serve linearizable reads from the leader's lease instead of a heartbeat round (ReadIndex). Faster, but
    /// correct only while clocks advance at similar rates: it relies on check-quorum deposing a leader within
    /// an election timeout, before any other node can win an election.
    public var leaseReads: Bool

    public init(
        id: NodeID, peers: [NodeID], electionTick: Int = 10, heartbeatTick: Int = 1, preVote: Bool = true,
        checkQuorum: Bool = true, maxInflight: Int = 64, maxEntriesPerMessage: Int = 64, leaseReads: Bool = false
    ) {
        self.id = id
        self.peers = peers
        self.electionTick = max(1, electionTick)
        self.heartbeatTick = max(1, heartbeatTick)
        self.preVote = preVote
        self.checkQuorum = checkQuorum
        self.maxInflight = max(1, maxInflight)
        self.maxEntriesPerMessage = max(1, maxEntriesPerMessage)
        self.leaseReads = leaseReads && checkQuorum
    }
}
