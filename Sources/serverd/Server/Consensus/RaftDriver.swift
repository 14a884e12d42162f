import CaravanProto
import CaravanRPC
import Dispatch
import Foundation
import Logging
import Raft
import RaftStore

/// Runs one server's Raft node: ticks it, persists what it hands out before anything is sent or
/// acknowledged, sends its messages, applies committed entries to the state machine, and wakes the callers
/// waiting for writes and reads.
///
/// Storage writes run on a dedicated thread; while one is in flight, new proposals and messages keep
/// arriving and are persisted together by the next write (group commit).
public actor RaftDriver {
    /// A write waiting for its entry to be applied.
    struct PendingWrite {
        var token: UInt64
        var term: Term
        var continuation: CheckedContinuation<AppliedEntry, any Error>
    }

    /// A write waiting for the next drain to append it.
    struct BatchedWrite {
        var token: UInt64
        var data: [UInt8]
        var continuation: CheckedContinuation<AppliedEntry, any Error>
    }

    /// What applying a proposed command produced.
    public struct AppliedEntry: Sendable {
        public var index: UInt64
        public var result: Caravan_V1_StateCommandResult
    }

    public let id: NodeID
    public let selfMember: RaftMember
    let settings: RaftSettings
    let logStore: RaftLogStore
    let snapshots: SnapshotStore
    let stateMachine: any ConsensusStateMachine
    let transport: RaftTransport
    let logger: Logger
    let storageQueue = DispatchQueue(label: "caravan.raft.storage")
    /// Snapshot files are written apart from the log, so a large snapshot does not hold up commits.
    let snapshotQueue = DispatchQueue(label: "caravan.raft.snapshots")

    var node: RaftNode
    var random = SystemRandomNumberGenerator()
    var batch: [BatchedWrite] = []
    var nextWriteToken: UInt64 = 0
    var pendingWrites: [Index: PendingWrite] = [:]
    var pendingReads: [UInt64: CheckedContinuation<Index, any Error>] = [:]
    var applyWaiters: [(index: Index, continuation: CheckedContinuation<Void, any Error>)] = []
    var processing = false
    var snapshotting = false
    /// Set when storage failed: from then on this server acknowledges nothing.
    var storageFailure: String?
    var knownMembers: [NodeID: RaftMember] = [:]
    var lastMembership: Membership?
    var lastLeader: NodeID?
    var lastContact = ContinuousClock.now
    var stopped = false
    var bootstrapStarted = false
    var leadershipWatchers: [AsyncStream<Leadership>.Continuation] = []
    var lastReportedLeadership = Leadership(isLeader: false, term: 0)
    /// The hard state last written to the log store.
    var savedHardState: HardState

    init(
        id: NodeID, selfMember: RaftMember, settings: RaftSettings, logStore: RaftLogStore,
        snapshots: SnapshotStore, stateMachine: any ConsensusStateMachine, transport: RaftTransport,
        restored: RestoredRaftState, logger: Logger
    ) {
        self.id = id
        self.selfMember = selfMember
        self.settings = settings
        self.logStore = logStore
        self.snapshots = snapshots
        self.stateMachine = stateMachine
        self.transport = transport
        self.logger = logger
        self.savedHardState = restored.persisted.hardState
        self.node = RaftNode(
            config: Self.config(id: id, settings: settings), hardState: restored.persisted.hardState,
            snapshot: restored.snapshot, logStart: restored.persisted.snapshot, entries: restored.persisted.entries,
            applied: restored.snapshot?.index ?? 0, random: SplitMix64(seed: UInt64.random(in: 1...UInt64.max)))
    }

    static func config(id: NodeID, settings: RaftSettings) -> Config {
        Config(
            id: id, peers: [], electionTick: settings.electionTicks, heartbeatTick: settings.heartbeatTicks,
            preVote: true, checkQuorum: true, maxInflight: settings.maxInflight,
            maxEntriesPerMessage: settings.maxEntriesPerMessage)
    }

    // MARK: Running

    /// Ticks until cancelled. The caller runs this as a lifecycle service.
    func runTicks() async {
        refreshMembers()
        kick()
        while !Task.isCancelled && !stopped {
            do {
                try await Task.sleep(for: settings.tickInterval)
            } catch {
                break
            }
            node.tick()
            kick()
            noteLeadership()
        }
    }

    func stop() {
        stopped = true
        finishLeadershipWatchers()
        transport.shutdown()
        failAllWaiters(CaravanError.unavailable("server is shutting down"))
    }

    /// Steps a message from a peer.
    func step(_ message: Message) {
        guard message.to == id else { return }
        if message.from == node.leader || message.kind.isFromLeader {
            lastContact = ContinuousClock.now
        }
        node.step(message)
        kick()
    }

    /// Starts draining `Ready`s unless a drain is already running.
    func kick() {
        guard !processing, storageFailure == nil, !stopped else { return }
        guard node.hasReady || (!batch.isEmpty && node.role == .leader) else {
            failBatchIfNotLeader()
            return
        }
        processing = true
        Task { await self.drain() }
    }

    private func drain() async {
        while storageFailure == nil && !stopped {
            proposeBatch()
            guard node.hasReady else { break }
            let ready = node.ready()
            // The commit index alone need not be durable (a restarted server learns it again from the
            // leader), so a Ready that only moves it costs no fsync.
            let termOrVoteChanged =
                ready.hardState.map {
                    $0.term != savedHardState.term || $0.vote != savedHardState.vote
                } ?? false
            var messages = ready.messages
            if node.role == .leader && !termOrVoteChanged && ready.snapshot == nil {
                // A leader's appends go out while it writes the same entries locally: the core counts its own
                // copy only after `advance`, so one fsync latency is saved per commit.
                send(messages.filter(\.kind.isReplication))
                messages.removeAll(where: \.kind.isReplication)
            }
            do {
                if let snapshot = ready.snapshot {
                    try await installSnapshot(snapshot)
                }
                if ready.snapshot != nil || !ready.entriesToPersist.isEmpty || termOrVoteChanged {
                    let store = logStore
                    try await onStorageThread {
                        try store.save(
                            snapshot: ready.snapshot, entries: ready.entriesToPersist, hardState: ready.hardState)
                    }
                    if let hardState = ready.hardState { savedHardState = hardState }
                }
            } catch {
                storageFailed(error)
                break
            }
            send(messages)
            apply(ready.committedEntries)
            for read in ready.readStates {
                pendingReads.removeValue(forKey: read.context)?.resume(returning: read.index)
            }
            node.advance(ready)
            releaseApplyWaiters()
            refreshMembers()
            maybeSnapshot()
            noteLeadership()
        }
        processing = false
    }

    private func storageFailed(_ error: any Error) {
        storageFailure = "\(error)"
        logger.critical(
            "raft storage failed; this server stops acknowledging anything until restarted",
            metadata: ["error": "\(error)"])
        failAllWaiters(CaravanError.unavailable("raft storage failed on this server: \(error)"))
    }

    func failAllWaiters(_ error: CaravanError) {
        for write in pendingWrites.values { write.continuation.resume(throwing: error) }
        pendingWrites.removeAll()
        for item in batch { item.continuation.resume(throwing: error) }
        batch.removeAll()
        for read in pendingReads.values { read.resume(throwing: error) }
        pendingReads.removeAll()
        for waiter in applyWaiters { waiter.continuation.resume(throwing: error) }
        applyWaiters.removeAll()
    }

    private func send(_ messages: [Message]) {
        var regular: [Message] = []
        for message in messages {
            if case .snapshot(let metadata) = message.kind {
                let peer = message.to
                transport.sendSnapshot(message, metadata: metadata) { [weak self] accepted in
                    await self?.snapshotSent(to: peer, accepted: accepted)
                }
            } else {
                regular.append(message)
            }
        }
        transport.send(regular)
    }

    private func snapshotSent(to peer: NodeID, accepted: Bool) {
        node.reportSnapshot(to: peer, succeeded: accepted)
        kick()
    }

    func onStorageThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await Self.run(on: storageQueue, work)
    }

    static func run<T: Sendable>(on queue: DispatchQueue, _ work: @escaping @Sendable () throws -> T) async throws -> T
    {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try work() })
            }
        }
    }

    /// Keeps the transport's peers in line with the membership, which carries their addresses.
    func refreshMembers() {
        // Called after every Ready: decode the addresses only when the membership itself changed.
        guard node.membership != lastMembership else { return }
        lastMembership = node.membership
        let members = RaftMember.members(of: node.membership)
        guard members != knownMembers else { return }
        knownMembers = members
        transport.update(members: members)
        logger.info(
            "raft membership",
            metadata: [
                "voters": "\(node.membership.voters.map { members[$0]?.name ?? String($0) })",
                "nonvoters": "\(node.membership.learners.map { members[$0]?.name ?? String($0) })",
            ])
    }
}

extension Message.Kind {
    /// Appends and heartbeats, which a leader may send before persisting the entries they carry.
    var isReplication: Bool {
        switch self {
        case .appendEntries, .heartbeat: true
        default: false
        }
    }

    /// Messages only a leader sends; hearing one means the leader is alive.
    var isFromLeader: Bool {
        switch self {
        case .appendEntries, .heartbeat, .snapshot, .timeoutNow, .readIndexResponse: true
        default: false
        }
    }
}

/// What a server found on disk at start: the log store's state and the newest usable snapshot.
struct RestoredRaftState: Sendable {
    var persisted: PersistedRaftState
    var snapshot: SnapshotMetadata?
}
