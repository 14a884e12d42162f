/// The pure Raft state machine of one node: feed it messages, ticks and proposals; drain `ready()`.
///
/// It performs no I/O. The driver persists `Ready.entriesToPersist` and `Ready.hardState`, then sends
/// `Ready.messages`, then applies `Ready.committedEntries`, then calls `advance(_:)`.
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

    var random: any RandomSource
    var electionElapsed = 0
    var heartbeatElapsed = 0
    var randomizedElectionTimeout: Int
    var votes: [NodeID: Bool] = [:]
    var progress: [NodeID: Progress] = [:]
    var outbox: [Message] = []
    var persistedHardState: HardState

    /// Starts or restarts a node from what it persisted; `applied` is the last index the state machine holds.
    public init(
        config: Config, hardState: HardState = HardState(), entries: [Entry] = [], applied: Index = 0,
        random: any RandomSource
    ) {
        self.config = config
        self.term = hardState.term
        self.vote = hardState.vote
        self.log = RaftLog(entries: entries, committed: hardState.commit)
        self.applied = min(applied, log.committed)
        self.random = random
        self.persistedHardState = hardState
        self.randomizedElectionTimeout = config.electionTick
        resetRandomizedElectionTimeout()
    }

    public var id: NodeID { config.id }

    public var hardState: HardState { HardState(term: term, vote: vote, commit: log.committed) }

    var quorum: Int { voters.count / 2 + 1 }

    var voters: [NodeID] {
        config.peers.contains(id) ? config.peers : config.peers + [id]
    }

    var otherVoters: [NodeID] { voters.filter { $0 != id } }

    // MARK: Driving

    /// Advances logical time by one tick.
    public mutating func tick() {
        if role == .leader {
            tickLeader()
        } else {
            electionElapsed += 1
            if electionElapsed >= randomizedElectionTimeout {
                electionElapsed = 0
                campaign()
            }
        }
    }

    /// Appends a command to the log; only the leader accepts proposals.
    @discardableResult
    public mutating func propose(_ data: [UInt8]) throws(RaftError) -> Index {
        try propose(kind: .normal(data))
    }

    @discardableResult
    public mutating func propose(kind: Entry.Kind) throws(RaftError) -> Index {
        guard role == .leader else { throw .notLeader(leaderHint: leader) }
        let index = appendAsLeader([kind])
        broadcastAppend()
        return index
    }

    public var hasReady: Bool {
        !outbox.isEmpty || log.stableIndex < log.lastIndex || hardState != persistedHardState
            || applied < log.committed
    }

    /// Hands out the pending work; messages are taken, the rest stays until `advance(_:)`.
    public mutating func ready() -> Ready {
        let messages = outbox
        outbox.removeAll()
        let current = hardState
        let committed = log.entries(from: applied + 1, maxCount: Int(log.committed - min(applied, log.committed)))
        return Ready(
            messages: messages,
            entriesToPersist: log.unstableEntries,
            hardState: current == persistedHardState ? nil : current,
            committedEntries: committed
        )
    }

    /// Records that the driver persisted and applied everything in `ready`.
    public mutating func advance(_ ready: Ready) {
        if let last = ready.entriesToPersist.last, log.matches(index: last.index, term: last.term) {
            log.stableIndex = max(log.stableIndex, last.index)
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
        for peer in otherVoters {
            progress[peer] = Progress(next: log.lastIndex + 1)
        }
        var own = Progress(next: log.lastIndex + 1)
        own.match = log.lastIndex
        own.state = .replicate
        own.recentActive = true
        progress[id] = own
        appendAsLeader([.noop])
        broadcastAppend()
    }

    mutating func campaign() {
        guard term < Term.max else { return }
        if config.preVote {
            becomePreCandidate()
            startElection(preVote: true)
        } else {
            becomeCandidate()
            startElection(preVote: false)
        }
    }

    mutating func startElection(preVote: Bool) {
        if recordVote(from: id, granted: true, preVote: preVote) { return }
        let electionTerm = preVote ? term + 1 : term
        for peer in otherVoters {
            let kind: Message.Kind =
                preVote
                ? .preVote(lastIndex: log.lastIndex, lastTerm: log.lastTerm)
                : .requestVote(lastIndex: log.lastIndex, lastTerm: log.lastTerm)
            send(Message(from: id, to: peer, term: electionTerm, kind: kind))
        }
    }

    /// Counts a vote; returns true when it decided the election (won or lost).
    mutating func recordVote(from voter: NodeID, granted: Bool, preVote: Bool) -> Bool {
        if votes[voter] == nil {
            votes[voter] = granted
        }
        let yes = votes.values.filter { $0 }.count
        let no = votes.count - yes
        if yes >= quorum {
            if preVote {
                becomeCandidate()
                startElection(preVote: false)
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
