/// What the leader knows about one member's replication, for operators and for promoting caught-up learners.
public struct ReplicationStatus: Sendable, Hashable {
    /// The highest index known to be stored on the member.
    public var match: Index
    /// Whether the member answered within the current election timeout.
    public var recentActive: Bool
}

extension RaftNode {
    /// Per member, as the leader sees it; empty on other roles.
    public var replicationStatus: [NodeID: ReplicationStatus] {
        guard role == .leader else { return [:] }
        return progress.mapValues { ReplicationStatus(match: $0.match, recentActive: $0.recentActive) }
    }
}
