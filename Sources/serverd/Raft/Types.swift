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
        /// The whole membership from this entry on; it takes effect when appended, not when committed.
        case configuration(Membership)
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

/// Who belongs to the group. Voters elect and count toward quorum; learners (non-voters) only receive the log.
///
/// `context` carries opaque per-member data for the driver (its network address); the core never reads it.
public struct Membership: Sendable, Hashable {
    public private(set) var voters: [NodeID]
    public private(set) var learners: [NodeID]
    public var context: [NodeID: [UInt8]]

    public init(voters: [NodeID] = [], learners: [NodeID] = [], context: [NodeID: [UInt8]] = [:]) {
        self.voters = Array(Set(voters)).sorted()
        self.learners = Array(Set(learners).subtracting(voters)).sorted()
        self.context = context
    }

    public var members: [NodeID] { (voters + learners).sorted() }

    public func contains(_ id: NodeID) -> Bool { voters.contains(id) || learners.contains(id) }

    public func isVoter(_ id: NodeID) -> Bool { voters.contains(id) }
}

/// What a snapshot covers: the state after applying every entry up to `index`, and the membership then.
public struct SnapshotMetadata: Sendable, Hashable {
    public var index: Index
    public var term: Term
    public var membership: Membership

    public init(index: Index, term: Term, membership: Membership) {
        self.index = index
        self.term = term
        self.membership = membership
    }
}

/// The answer to a linearizable read: once the state machine has applied `index`, reading it is linearizable.
public struct ReadState: Sendable, Hashable {
    /// The caller's identifier for the read, echoed back.
    public var context: UInt64
    public var index: Index

    public init(context: UInt64, index: Index) {
        self.context = context
        self.index = index
    }
}
