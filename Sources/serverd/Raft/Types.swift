/// Identifies one member of a Raft group; zero is never a valid id.
public typealias NodeID = UInt64

/// A Raft election term.
public typealias Term = UInt64

/// A position in the replicated log; the first entry has index 1.
public typealias Index = UInt64

/// One record in the replicated log.
public struct Entry: Sendable, Hashable {
    /// What an entry carries.
    public enum Kind: Sendable, Hashable {
        /// An opaque command for the state machine.
        case normal([UInt8])
        /// The empty entry a new leader appends so it can commit entries of earlier terms.
        case noop
        /// A membership change; carried through the log but not interpreted yet.
        case configuration(voters: [NodeID])
    }

    public var term: Term
    public var index: Index
    public var kind: Kind

    public init(term: Term, index: Index, kind: Kind) {
        self.term = term
        self.index = index
        self.kind = kind
    }
}

/// The state a node must persist before it sends any message of the same `Ready`.
public struct HardState: Sendable, Hashable {
    public var term: Term
    public var vote: NodeID?
    public var commit: Index

    public init(term: Term = 0, vote: NodeID? = nil, commit: Index = 0) {
        self.term = term
        self.vote = vote
        self.commit = commit
    }
}

/// The role a node currently plays.
public enum Role: Sendable, Hashable {
    case follower
    case preCandidate
    case candidate
    case leader
}
