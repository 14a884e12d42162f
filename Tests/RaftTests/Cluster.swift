@testable import Raft

/// One simulated server: the live node (nil while crashed) and what it has persisted and applied.
struct SimulatedServer {
    var node: RaftNode?
    var hardState = HardState()
    /// The stored log: entries after `logStart`.
    var persisted: [Entry] = []
    var logStart: SnapshotMetadata?
    /// The stored snapshot and its "data": the entries the state machine had applied.
    var snapshot: SnapshotMetadata?
    var snapshotData: [Entry] = []
    /// Snapshot data that arrived from a leader and waits for the node to ask for its installation.
    var receivedSnapshot: (metadata: SnapshotMetadata, data: [Entry])?
    /// The state machine: every entry applied, in order.
    var applied: [Entry] = []
    var incarnation: UInt64 = 0

    var persistedLastIndex: Index { (logStart?.index ?? 0) + Index(persisted.count) }
}

/// A deterministic in-memory network of Raft nodes that checks Raft's safety properties after every event.
struct Cluster {
    struct EntryKey: Hashable {
        var index: Index
        var term: Term
    }

    let configs: [Config]
    var servers: [SimulatedServer]
    var inFlight: [Message] = []
    /// Nodes in different groups cannot reach each other.
    var group: [Int]
    var seed: UInt64
    var leaders: [Term: NodeID] = [:]
    /// The committed prefix as observed by anyone; entry `i` has index `i + 1`.
    var committed: [Entry] = []
    var seenEntries: [EntryKey: (kind: Entry.Kind, prevTerm: Term)] = [:]
    var violations: [String] = []
    /// For each outstanding read: the highest commit index anywhere when it was asked.
    var readFloor: [UInt64: Index] = [:]
    var nextReadContext: UInt64 = 1
    var readsServed = 0
    var servedReads: Set<UInt64> = []
    var snapshotsInstalled = 0

    /// `voters` limits the initial voters to the first ones; the others start outside the group.
    init(
        size: Int, seed: UInt64, preVote: Bool = true, checkQuorum: Bool = true, maxInflight: Int = 4,
        voters: Int? = nil, leaseReads: Bool = false
    ) {
        let ids = (1...size).map { NodeID($0) }
        let initialVoters = Array(ids.prefix(voters ?? size))
        configs = ids.map {
            Config(
                id: $0, peers: initialVoters, preVote: preVote, checkQuorum: checkQuorum, maxInflight: maxInflight,
                maxEntriesPerMessage: 3, leaseReads: leaseReads)
        }
        servers = Array(repeating: SimulatedServer(), count: size)
        group = Array(repeating: 0, count: size)
        self.seed = seed
        for slot in servers.indices {
            restart(slot)
        }
    }

    var ids: [NodeID] { configs.map(\.id) }

    func slot(of id: NodeID) -> Int { Int(id) - 1 }

    mutating func restart(_ slot: Int) {
        servers[slot].incarnation += 1
        let random = SplitMix64(seed: seed &* 1_000_003 &+ UInt64(slot) &* 7919 &+ servers[slot].incarnation)
        let server = servers[slot]
        servers[slot].node = RaftNode(
            config: configs[slot], hardState: server.hardState, snapshot: server.snapshot, logStart: server.logStart,
            entries: server.persisted, applied: server.snapshot?.index ?? 0, random: random)
        // The state machine restarts from the snapshot and replays the log after it.
        servers[slot].applied = server.snapshotData
        servers[slot].receivedSnapshot = nil
        processReady(slot)
    }

    mutating func crash(_ slot: Int) {
        servers[slot].node = nil
    }

    mutating func tick(_ slot: Int) {
        servers[slot].node?.tick()
        processReady(slot)
    }

    mutating func tickAll() {
        for slot in servers.indices { tick(slot) }
    }

    @discardableResult
    mutating func propose(_ slot: Int, _ data: [UInt8]) -> Bool {
        guard servers[slot].node != nil else { return false }
        // A client follows the not-leader hint once, as a real one would.
        var target = slot
        do {
            try servers[target].node?.propose(data)
        } catch RaftError.notLeader(let hint) {
            guard let hint, servers.indices.contains(self.slot(of: hint)), servers[self.slot(of: hint)].node != nil
            else { return false }
            target = self.slot(of: hint)
            do {
                try servers[target].node?.propose(data)
            } catch {
                return false
            }
        } catch {
            return false
        }
        processReady(target)
        return true
    }

    /// Starts a linearizable read on `slot`, remembering what had been committed anywhere by then.
    mutating func read(on slot: Int) {
        guard servers[slot].node != nil else { return }
        let context = nextReadContext
        nextReadContext += 1
        readFloor[context] = servers.compactMap { $0.node?.log.committed }.max() ?? 0
        _ = servers[slot].node?.readIndex(context: context)
        processReady(slot)
    }

    /// Takes a snapshot at the applied index and compacts the log, keeping `trailing` entries.
    mutating func snapshot(_ slot: Int, trailing: Index) {
        guard var node = servers[slot].node, node.applied > 0,
            let metadata = try? node.snapshotMetadata(at: node.applied)
        else { return }
        servers[slot].snapshot = metadata
        servers[slot].snapshotData = Array(servers[slot].applied.prefix(Int(metadata.index)))
        let through = metadata.index > trailing ? metadata.index - trailing : 0
        if let start = node.snapshotStored(metadata, compactThrough: through) {
            let drop = Int(start.index - (servers[slot].logStart?.index ?? 0))
            servers[slot].persisted.removeFirst(min(drop, servers[slot].persisted.count))
            servers[slot].logStart = start
        }
        servers[slot].node = node
    }

    mutating func proposeMembershipChange(_ slot: Int, _ change: MembershipChange) {
        guard servers[slot].node != nil else { return }
        _ = try? servers[slot].node?.proposeMembershipChange(change)
        processReady(slot)
    }

    mutating func transferLeadership(_ slot: Int, to target: NodeID) {
        _ = try? servers[slot].node?.transferLeadership(to: target)
        processReady(slot)
    }

    func canReach(_ message: Message) -> Bool {
        let from = slot(of: message.from)
        let to = slot(of: message.to)
        return servers.indices.contains(from) && servers.indices.contains(to) && group[from] == group[to]
    }

    /// A lost message; the sender of a snapshot learns of the failure, as a real transport reports it.
    mutating func drop(_ message: Message) {
        guard case .snapshot = message.kind else { return }
        let from = slot(of: message.from)
        guard servers.indices.contains(from), servers[from].node != nil else { return }
        servers[from].node?.reportSnapshot(to: message.to, succeeded: false)
        processReady(from)
    }

    mutating func deliver(_ message: Message) {
        let to = slot(of: message.to)
        guard canReach(message), servers[to].node != nil else {
            drop(message)
            return
        }
        if case .snapshot(let metadata) = message.kind {
            // The data travels out of band; it is the sender's stored snapshot.
            let from = slot(of: message.from)
            guard servers[from].snapshot == metadata else {
                drop(message)
                return
            }
            servers[to].receivedSnapshot = (metadata, servers[from].snapshotData)
            servers[to].node?.step(message)
            processReady(to)
            // The transport reports a completed transfer to the sender, as a real one does.
            servers[from].node?.reportSnapshot(to: message.to, succeeded: true)
            processReady(from)
            return
        }
        servers[to].node?.step(message)
        processReady(to)
    }

    /// Delivers everything in flight, oldest first, including replies, up to `limit` messages.
    mutating func deliverAll(limit: Int = 10_000) {
        var delivered = 0
        while !inFlight.isEmpty && delivered < limit {
            let batch = inFlight
            inFlight.removeAll()
            for message in batch {
                deliver(message)
                delivered += 1
            }
        }
    }

    var leaderSlots: [Int] {
        servers.indices.filter { servers[$0].node?.role == .leader }
    }

    /// The leader with the highest term, if any.
    var currentLeader: Int? {
        leaderSlots.max { (servers[$0].node?.term ?? 0) < (servers[$1].node?.term ?? 0) }
    }

    mutating func fail(_ text: String) {
        if violations.count < 5 { violations.append("seed \(seed): \(text)") }
    }

    /// Installs, persists, sends, applies, serves reads and advances, as a driver would, checking invariants.
    mutating func processReady(_ slot: Int, depth: Int = 0) {
        guard var node = servers[slot].node, node.hasReady else {
            checkLeaders()
            return
        }
        let ready = node.ready()
        if let metadata = ready.snapshot {
            installSnapshot(metadata, on: slot)
        }
        persist(ready, on: slot, node: node)
        inFlight.append(contentsOf: ready.messages)
        for entry in ready.committedEntries {
            apply(entry, on: slot)
        }
        for read in ready.readStates {
            checkRead(read, on: slot)
        }
        node.advance(ready)
        servers[slot].node = node
        checkLeaders()
        // Advancing can produce more work (a leader commits once its own write is persisted), as a real
        // driver's loop would pick up at once.
        if node.hasReady && depth < 8 {
            processReady(slot, depth: depth + 1)
        }
    }

    private mutating func installSnapshot(_ metadata: SnapshotMetadata, on slot: Int) {
        guard let received = servers[slot].receivedSnapshot, received.metadata == metadata else {
            fail("node \(slot + 1) asked to install a snapshot it never received")
            return
        }
        for entry in received.data {
            checkCommitted(entry, on: slot)
        }
        servers[slot].applied = received.data
        servers[slot].snapshot = metadata
        servers[slot].snapshotData = received.data
        servers[slot].logStart = metadata
        servers[slot].persisted = []
        servers[slot].receivedSnapshot = nil
        snapshotsInstalled += 1
    }

    private mutating func persist(_ ready: Ready, on slot: Int, node: RaftNode) {
        let start = servers[slot].logStart?.index ?? 0
        if let first = ready.entriesToPersist.first {
            let keep = Int(first.index) - 1 - Int(start)
            if keep < 0 || keep > servers[slot].persisted.count {
                fail("node \(slot + 1) persists \(first.index) which does not follow its stored log")
            } else {
                servers[slot].persisted.removeSubrange(keep...)
                servers[slot].persisted.append(contentsOf: ready.entriesToPersist)
            }
        }
        for entry in ready.entriesToPersist {
            let prevTerm = node.log.term(at: entry.index - 1) ?? 0
            let key = EntryKey(index: entry.index, term: entry.term)
            if let seen = seenEntries[key] {
                if seen.kind != entry.kind || seen.prevTerm != prevTerm {
                    fail("log matching broken at \(entry.index) term \(entry.term)")
                }
            } else {
                seenEntries[key] = (entry.kind, prevTerm)
            }
        }
        if let hardState = ready.hardState {
            if hardState.term < servers[slot].hardState.term {
                fail("node \(slot + 1) term went backward")
            }
            servers[slot].hardState = hardState
        }
        if servers[slot].hardState.commit > servers[slot].persistedLastIndex {
            fail("node \(slot + 1) commit beyond its persisted log")
        }
    }

    mutating func apply(_ entry: Entry, on slot: Int) {
        if entry.index != Index(servers[slot].applied.count) + 1 {
            fail("node \(slot + 1) applied \(entry.index) out of order")
            return
        }
        servers[slot].applied.append(entry)
        checkCommitted(entry, on: slot)
    }

    private mutating func checkCommitted(_ entry: Entry, on slot: Int) {
        let position = Int(entry.index) - 1
        if position < committed.count {
            if committed[position] != entry {
                fail("state machine safety broken at \(entry.index) on node \(slot + 1)")
            }
        } else if position == committed.count {
            committed.append(entry)
        } else {
            fail("node \(slot + 1) applied \(entry.index) beyond the known committed prefix")
        }
    }

    /// A read must not be served at an index below anything committed before it was asked.
    private mutating func checkRead(_ read: ReadState, on slot: Int) {
        // A duplicated answer may serve the same read twice; each time it must be as fresh.
        guard let floor = readFloor[read.context] else {
            fail("node \(slot + 1) served an unknown read \(read.context)")
            return
        }
        if read.index < floor {
            fail("read \(read.context) on node \(slot + 1) at index \(read.index) misses commit \(floor)")
        }
        if servedReads.insert(read.context).inserted { readsServed += 1 }
    }

    /// Election safety and leader completeness.
    mutating func checkLeaders() {
        for slot in leaderSlots {
            guard let node = servers[slot].node else { continue }
            if let known = leaders[node.term] {
                if known != node.id { fail("two leaders in term \(node.term)") }
                continue
            }
            leaders[node.term] = node.id
            for entry in committed where entry.index > node.log.compactedIndex {
                if node.log.entry(at: entry.index) != entry {
                    fail("leader \(node.id) of term \(node.term) lacks committed entry \(entry.index)")
                    break
                }
            }
            if committed.count > Int(node.log.lastIndex) {
                fail("leader \(node.id) of term \(node.term) lacks committed entries past its log")
            }
        }
    }
}
