/// A message between two members of a Raft group.
public struct Message: Sendable, Hashable {
    /// Where a follower's log diverges, so the leader can skip a whole term at a time.
    public struct RejectHint: Sendable, Hashable {
        /// The largest index at or below the probed one whose term is at most the probed term.
        public var index: Index
        /// The follower's term at `index`.
        public var term: Term

        public init(index: Index, term: Term) {
            self.index = index
            self.term = term
        }
    }

    /// The kinds of message and their payloads.
    public enum Kind: Sendable, Hashable {
        /// Asks whether an election would succeed, without raising anyone's term.
        case preVote(lastIndex: Index, lastTerm: Term)
        case preVoteResponse(granted: Bool)
        case requestVote(lastIndex: Index, lastTerm: Term)
        case requestVoteResponse(granted: Bool)
        case appendEntries(prevIndex: Index, prevTerm: Term, entries: [Entry], commit: Index)
        /// On success `matchIndex` is the last index known to match; on rejection it is the rejected `prevIndex`.
        case appendEntriesResponse(success: Bool, matchIndex: Index, rejectHint: RejectHint?)
        case heartbeat(commit: Index)
        case heartbeatResponse
    }

    public var from: NodeID
    public var to: NodeID
    /// For a pre-vote this is the term the sender would campaign in, not its current term.
    public var term: Term
    public var kind: Kind

    public init(from: NodeID, to: NodeID, term: Term, kind: Kind) {
        self.from = from
        self.to = to
        self.term = term
        self.kind = kind
    }
}
