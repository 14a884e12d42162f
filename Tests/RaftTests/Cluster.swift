@testable import Raft

/// One simulated server: the live node (nil while crashed) and what it has persisted and applied.
struct SimulatedServer {
    var node: RaftNode?
    var hardState = HardState()
    var persisted: [Entry] = []
    var applied: [Entry] = []
    var incarnation: UInt64 = 0
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

    init(size: Int, seed: UInt64, preVote: Bool = true, checkQuorum: Bool = true, maxInflight: Int = 4) {
        let ids = (1...size).map { NodeID($0) }
        configs = ids.map {
            Config(
                id: $0, peers: ids, preVote: preVote, checkQuorum: checkQuorum, maxInflight: maxInflight,
                maxEntriesPerMessage: 3)
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
        servers[slot].node = RaftNode(
            config: configs[slot], hardState: servers[slot].hardState, entries: servers[slot].persisted,
            random: random)
        servers[slot].applied = []
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

    func canReach(_ message: Message) -> Bool {
        let from = slot(of: message.from)
        let to = slot(of: message.to)
        return servers.indices.contains(from) && servers.indices.contains(to) && group[from] == group[to]
    }

    mutating func deliver(_ message: Message) {
        guard canReach(message) else { return }
        let to = slot(of: message.to)
        guard servers[to].node != nil else { return }
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

    /// Persists, sends, applies and advances, as a driver would, checking invariants on the way.
    mutating func processReady(_ slot: Int) {
        guard var node = servers[slot].node, node.hasReady else {
            checkLeaders()
            return
        }
        let ready = node.ready()
        if let first = ready.entriesToPersist.first {
            let keep = Int(first.index) - 1
            if keep > servers[slot].persisted.count {
                fail("node \(slot + 1) persists a gap at \(first.index)")
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
        if servers[slot].hardState.commit > Index(servers[slot].persisted.count) {
            fail("node \(slot + 1) commit beyond its persisted log")
        }
        inFlight.append(contentsOf: ready.messages)
        for entry in ready.committedEntries {
            apply(entry, on: slot)
        }
        node.advance(ready)
        servers[slot].node = node
        checkLeaders()
    }

    mutating func apply(_ entry: Entry, on slot: Int) {
        if entry.index != Index(servers[slot].applied.count) + 1 {
            fail("node \(slot + 1) applied \(entry.index) out of order")
            return
        }
        servers[slot].applied.append(entry)
        let position = Int(entry.index) - 1
        if position < committed.count {
            if committed[position] != entry {
                fail("state machine safety broken at \(entry.index)")
            }
        } else {
            committed.append(entry)
        }
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
            for entry in committed where node.log.entry(at: entry.index) != entry {
                fail("leader \(node.id) of term \(node.term) lacks committed entry \(entry.index)")
                break
            }
        }
    }
}
