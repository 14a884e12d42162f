/// Errors the Raft core reports to its caller.
public enum RaftError: Error, Sendable, Hashable {
    /// Only the leader accepts proposals; `leaderHint` is the leader this node last heard from.
    case notLeader(leaderHint: NodeID?)
}
