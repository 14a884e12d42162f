/// Errors the Raft core reports to its caller.
public enum RaftError: Error, Sendable, Hashable {
    /// Only the leader accepts proposals; `leaderHint` is the leader this node last heard from.
    case notLeader(leaderHint: NodeID?)
    /// A leadership transfer is under way; proposals wait until it ends.
    case transferInProgress
    /// A membership change is appended but not yet committed; only one may be pending at a time.
    case membershipChangePending
    /// The new leader has not yet committed an entry of its own term, which must precede membership changes.
    case leaderNotReady
    /// The requested membership change makes no sense for the current membership.
    case invalidMembershipChange(String)
    /// Asked to snapshot or compact at an index that is not applied or already compacted.
    case indexUnavailable(Index)
}
