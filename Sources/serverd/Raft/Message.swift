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
        /// `transfer` marks the election a leadership transfer started; voters then ignore their leader lease.
        case requestVote(lastIndex: Index, lastTerm: Term, transfer: Bool)
        case requestVoteResponse(granted: Bool)
        case appendEntries(prevIndex: Index, prevTerm: Term, entries: [Entry], commit: Index)
        /// On success `matchIndex` is the last index known to match; on rejection it is the rejected `prevIndex`.
        /// Also the answer to `snapshot`.
        case appendEntriesResponse(success: Bool, matchIndex: Index, rejectHint: RejectHint?)
        /// A non-zero `readContext` asks the follower to confirm this leadership for pending reads.
        case heartbeat(commit: Index, readContext: UInt64)
        case heartbeatResponse(readContext: UInt64)
        /// Follower → leader: at which commit index may a linearizable read be served?
        case readIndex(context: UInt64)
        /// Leader → follower: the read with `context` may be served once `index` is applied.
        case readIndexResponse(context: UInt64, index: Index)
        /// Leader → transfer target: campaign now, skipping pre-vote.
        case timeoutNow
        /// Leader → follower whose entries were compacted away. The driver sends the snapshot's data out of band
        /// and steps this message into the follower only once the data is stored there.
        case snapshot(SnapshotMetadata)
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
