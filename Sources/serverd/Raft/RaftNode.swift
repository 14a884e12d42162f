/// The pure Raft state machine of one node: feed it messages, ticks and proposals; drain `ready()`.
///
/// It performs no I/O. The driver handles each `Ready` in the order its documentation gives, then calls
/// `advance(_:)`. A leader may send its appends and heartbeats before persisting: its own entries count toward
/// commit only from `advance(_:)` on.
public struct RaftNode: Sendable {
    public let config: Config
    public internal(set) var term: Term
    public internal(set) var vote: NodeID?
    public internal(set) var role: Role = .follower
    /// The leader this node last heard from in the current term.
    public internal(set) var leader: NodeID?
    public internal(set) var log: RaftLog
    /// The last index handed out for applying.
    public internal(set) var applied: Index
    /// The membership in force: the last configuration entry in the log, else the compaction point's.
    public internal(set) var membership: Membership
    /// The index of the entry that set `membership` (the compaction point when no entry in the log did).
    public internal(set) var membershipIndex: Index
    /// The newest snapshot the driver holds, which is what a lagging follower is sent.
    public internal(set) var latestSnapshot: SnapshotMetadata?
    /// The leader's transfer target while a leadership transfer runs.
    public internal(set) var transferTarget: NodeID?

    var random: any RandomSource
    var electionElapsed = 0
    var heartbeatElapsed = 0
    var transferElapsed = 0
    var randomizedElectionTimeout: Int
    var votes: [NodeID: Bool] = [:]
    var progress: [NodeID: Progress] = [:]
    var outbox: [Message] = []
    var persistedHardState: HardState
    /// The membership at the compaction point, from which `membership` is recomputed after truncation.
    var compactedMembership: Membership
    /// A snapshot received from the leader, waiting for the driver to install it.
    var snapshotToInstall: SnapshotMetadata?
    var reads = ReadQueue()
    var readStates: [ReadState] = []

    /// Starts or restarts a node from what it persisted.
    ///
    /// - Parameters:
    ///   - snapshot: the newest snapshot the driver holds, if any.
    ///   - logStart: where the stored log begins (the last compaction point); defaults to `snapshot`.
    ///   - entries: the stored entries after `logStart`.
    ///   - applied: the last index the driver's state machine holds; at least `logStart`'s index.
    public init(
        config: Config, hardState: HardState = HardState(), snapshot: SnapshotMetadata? = nil,
        logStart: SnapshotMetadata? = nil, entries: [Entry] = [], applied: Index = 0, random: any RandomSource
    ) {
        let start = logStart ?? snapshot
        self.config = config
        self.term = hardState.term
        self.vote = hardState.vote
        self.log = RaftLog(
            entries: entries, committed: hardState.commit, compactedIndex: start?.index ?? 0,
            compactedTerm: start?.term ?? 0)
        self.applied = min(max(applied, log.compactedIndex), log.committed)
        self.latestSnapshot = snapshot
        self.compactedMembership = start?.membership ?? Membership(voters: config.peers)
        self.membership = compactedMembership
        self.membershipIndex = log.compactedIndex
        self.random = random
        self.persistedHardState = HardState(term: hardState.term, vote: hardState.vote, commit: log.committed)
        self.randomizedElectionTimeout = config.electionTick
        resetRandomizedElectionTimeout()
        recomputeMembership()
    }

    public var id: NodeID { config.id }

    public var hardState: HardState { HardState(term: term, vote: vote, commit: log.committed) }

    var voters: [NodeID] { membership.voters }

    var quorum: Int { voters.count / 2 + 1 }

    var otherVoters: [NodeID] { voters.filter { $0 != id } }

    /// Every member this node replicates to when it leads: voters and learners, except itself.
    var otherMembers: [NodeID] { membership.members.filter { $0 != id } }

    /// Only voters campaign; a learner or a server not yet added waits to hear from a leader.
    public var isPromotable: Bool { membership.isVoter(id) }

    /// Whether the leader has committed an entry of its own term, which it needs before serving reads.
    var hasCommittedInTerm: Bool { log.term(at: log.committed) == term }

    // MARK: Driving

    /// Advances logical time by one tick.
    public mutating func tick() {
        if role == .leader {
            tickLeader()
        } else {
            electionElapsed += 1
            if electionElapsed >= randomizedElectionTimeout {
                electionElapsed = 0
                campaign(transfer: false)
            }
        }
    }

    /// Appends a command to the log; only the leader accepts proposals.
    @discardableResult
    public mutating func propose(_ data: [UInt8]) throws(RaftError) -> Index {
        try propose(entries: [data])
    }

    /// Appends several commands at once (a batch from many clients); returns the index of the last.
    @discardableResult
    public mutating func propose(entries: [[UInt8]]) throws(RaftError) -> Index {
        guard role == .leader else { throw .notLeader(leaderHint: leader) }
        guard transferTarget == nil else { throw .transferInProgress }
        let index = appendAsLeader(entries.map { .normal($0) })
        broadcastAppend()
        return index
    }

    public var hasReady: Bool {
        !outbox.isEmpty || snapshotToInstall != nil || log.stableIndex < log.lastIndex
            || hardState != persistedHardState || applied < log.committed || !readStates.isEmpty
    }

    /// Hands out the pending work; messages and read states are taken, the rest stays until `advance(_:)`.
    public mutating func ready() -> Ready {
        let messages = outbox
        outbox.removeAll()
        let reads = readStates
        readStates.removeAll()
        let current = hardState
        let from = max(applied, log.compactedIndex) + 1
        let committed = log.entries(from: from, maxCount: Int(log.committed - min(from - 1, log.committed)))
        return Ready(
            messages: messages,
            snapshot: snapshotToInstall,
            entriesToPersist: log.unstableEntries,
            hardState: current == persistedHardState ? nil : current,
            committedEntries: committed,
            readStates: reads
        )
    }

    /// Records that the driver installed, persisted and applied everything in `ready`.
    public mutating func advance(_ ready: Ready) {
        if let snapshot = ready.snapshot, snapshot == snapshotToInstall {
            snapshotToInstall = nil
        }
        if let last = ready.entriesToPersist.last, log.matches(index: last.index, term: last.term) {
            log.stableIndex = max(log.stableIndex, last.index)
            if role == .leader, progress[id]?.acknowledge(upTo: log.stableIndex) == true, maybeCommit() {
                broadcastAppend(evenIfEmpty: true)
            }
        }
        if let hardState = ready.hardState {
            persistedHardState = hardState
        }
        if let last = ready.committedEntries.last {
            applied = max(applied, min(last.index, log.committed))
        }
    }

    // MARK: Role changes

    mutating func resetRandomizedElectionTimeout() {
        let span = UInt64(config.electionTick)
        randomizedElectionTimeout = config.electionTick + Int(random.next(below: span))
    }

    mutating func reset(term newTerm: Term) {
        if term != newTerm {
            term = newTerm
            vote = nil
        }
        leader = nil
        electionElapsed = 0
        heartbeatElapsed = 0
        resetRandomizedElectionTimeout()
        votes = [:]
        progress = [:]
        transferTarget = nil
        transferElapsed = 0
        reads = ReadQueue()
    }

    mutating func becomeFollower(term newTerm: Term, leader newLeader: NodeID?) {
        reset(term: newTerm)
        role = .follower
        leader = newLeader
    }

    mutating func becomePreCandidate() {
        // A pre-candidate keeps its term and vote; it only learns whether an election could succeed.
        votes = [:]
        leader = nil
        role = .preCandidate
    }

    mutating func becomeCandidate() {
        reset(term: term + 1)
        vote = id
        role = .candidate
    }

    mutating func becomeLeader() {
        reset(term: term)
        role = .leader
        leader = id
        syncProgressWithMembership()
        appendAsLeader([.noop])
        broadcastAppend()
    }

    /// Starts an election; a transfer skips pre-vote, since the old leader asked for it.
    mutating func campaign(transfer: Bool) {
        guard term < Term.max, isPromotable, snapshotToInstall == nil else { return }
        if config.preVote && !transfer {
            becomePreCandidate()
            startElection(preVote: true, transfer: false)
        } else {
            becomeCandidate()
            startElection(preVote: false, transfer: transfer)
        }
    }

    mutating func startElection(preVote: Bool, transfer: Bool) {
        if recordVote(from: id, granted: true, preVote: preVote) { return }
        let electionTerm = preVote ? term + 1 : term
        for peer in otherVoters {
            let kind: Message.Kind =
                preVote
                ? .preVote(lastIndex: log.lastIndex, lastTerm: log.lastTerm)
                : .requestVote(lastIndex: log.lastIndex, lastTerm: log.lastTerm, transfer: transfer)
            send(Message(from: id, to: peer, term: electionTerm, kind: kind))
        }
    }

    /// Counts a vote; returns true when it decided the election (won or lost).
    mutating func recordVote(from voter: NodeID, granted: Bool, preVote: Bool) -> Bool {
        if votes[voter] == nil {
            votes[voter] = granted
        }
        let yes = votes.filter { $0.value && membership.isVoter($0.key) }.count
        let no = votes.filter { !$0.value && membership.isVoter($0.key) }.count
        if yes >= quorum {
            if preVote {
                becomeCandidate()
                startElection(preVote: false, transfer: false)
            } else {
                becomeLeader()
            }
            return true
        }
        if no >= quorum {
            becomeFollower(term: term, leader: nil)
            return true
        }
        return false
    }

    mutating func send(_ message: Message) {
        outbox.append(message)
    }
}
