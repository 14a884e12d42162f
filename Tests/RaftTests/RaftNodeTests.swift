import Testing

@testable import Raft

/// Ticks every node and delivers all traffic until a leader appears; returns its slot.
func electLeader(_ cluster: inout Cluster, maxRounds: Int = 200) -> Int? {
    for _ in 0..<maxRounds {
        cluster.tickAll()
        cluster.deliverAll()
        if let leader = cluster.currentLeader { return leader }
    }
    return nil
}

func appendCount(_ messages: [Message]) -> Int {
    messages.filter {
        if case .appendEntries = $0.kind { return true }
        return false
    }.count
}

@Suite("RaftNode")
struct RaftNodeTests {
    @Test("a three-node cluster elects one leader that commits a no-op and then proposals everywhere")
    func electsAndReplicates() throws {
        var cluster = Cluster(size: 3, seed: 7)
        let leader = try #require(electLeader(&cluster))
        #expect(cluster.leaderSlots == [leader])
        let accepted = cluster.propose(leader, [1, 2, 3])
        #expect(accepted)
        cluster.deliverAll()
        cluster.tickAll()
        cluster.deliverAll()
        for server in cluster.servers {
            #expect(server.applied.map(\.kind) == [.noop, .normal([1, 2, 3])])
        }
        #expect(cluster.violations == [])
    }

    @Test("a follower refuses a proposal and names the leader it follows")
    func followerRefusesProposal() throws {
        var cluster = Cluster(size: 3, seed: 8)
        let leader = try #require(electLeader(&cluster))
        let follower = (leader + 1) % 3
        var node = try #require(cluster.servers[follower].node)
        var refusal: RaftError?
        do {
            try node.propose([9])
        } catch {
            refusal = error
        }
        #expect(refusal == .notLeader(leaderHint: NodeID(leader + 1)))
    }

    @Test("a single-node cluster elects itself and commits proposals at once")
    func singleNode() throws {
        var cluster = Cluster(size: 1, seed: 9)
        let leader = try #require(electLeader(&cluster))
        let accepted = cluster.propose(leader, [4])
        #expect(accepted)
        #expect(cluster.servers[0].applied.map(\.kind) == [.noop, .normal([4])])
    }

    @Test("with check-quorum an isolated leader steps down within two election timeouts")
    func checkQuorumStepsDown() throws {
        var cluster = Cluster(size: 3, seed: 10)
        let leader = try #require(electLeader(&cluster))
        cluster.group[leader] = 1
        for _ in 0..<20 {
            cluster.tickAll()
            cluster.deliverAll()
        }
        #expect(cluster.servers[leader].node?.role == .follower)
        #expect(cluster.violations == [])
    }

    @Test("with pre-vote an isolated follower does not raise its term nor disrupt the leader when it returns")
    func preVoteAvoidsDisruption() throws {
        var cluster = Cluster(size: 3, seed: 11)
        let leader = try #require(electLeader(&cluster))
        let term = try #require(cluster.servers[leader].node?.term)
        let loner = (leader + 1) % 3
        cluster.group[loner] = 1
        for _ in 0..<100 {
            cluster.tickAll()
            cluster.deliverAll()
        }
        #expect(cluster.servers[loner].node?.term == term)
        cluster.group[loner] = 0
        for _ in 0..<30 {
            cluster.tickAll()
            cluster.deliverAll()
        }
        #expect(cluster.servers[leader].node?.role == .leader)
        #expect(cluster.servers[leader].node?.term == term)
    }

    @Test("without pre-vote a returning isolated follower forces a new term")
    func withoutPreVoteTermRises() throws {
        var cluster = Cluster(size: 3, seed: 12, preVote: false, checkQuorum: false)
        let leader = try #require(electLeader(&cluster))
        let term = try #require(cluster.servers[leader].node?.term)
        let loner = (leader + 1) % 3
        cluster.group[loner] = 1
        for _ in 0..<100 {
            cluster.tickAll()
            cluster.deliverAll()
        }
        #expect((cluster.servers[loner].node?.term ?? 0) > term)
    }

    @Test("a restarted node keeps its term, vote and log but forgets its role")
    func restartKeepsHardState() throws {
        var cluster = Cluster(size: 3, seed: 13)
        let leader = try #require(electLeader(&cluster))
        let accepted = cluster.propose(leader, [5])
        #expect(accepted)
        cluster.deliverAll()
        let before = try #require(cluster.servers[leader].node)
        cluster.crash(leader)
        cluster.restart(leader)
        let after = try #require(cluster.servers[leader].node)
        #expect(after.role == .follower)
        #expect(after.term == before.term && after.vote == before.vote)
        #expect(after.log.entries == before.log.entries)
        #expect(cluster.servers[leader].applied.count == Int(after.log.committed))
    }

    @Test("fast back-off skips a divergent follower suffix a whole term at a time")
    func fastBackOff() {
        // The leader holds 1, 1, 5, 5, 5 ... in term 6; the follower holds 1, 1 then 30 entries of terms 2 to 4.
        let config = Config(id: 1, peers: [1, 2], preVote: false, checkQuorum: false)
        let leaderLog = entries(from: 1, terms: [1, 1] + Array(repeating: 5, count: 30))
        var leader = RaftNode(
            config: config, hardState: HardState(term: 5), entries: leaderLog, random: SplitMix64(seed: 1))
        let followerLog = entries(
            from: 1,
            terms: [1, 1] + Array(repeating: 2, count: 10) + Array(repeating: 3, count: 10)
                + Array(repeating: 4, count: 10))
        var follower = RaftNode(
            config: Config(id: 2, peers: [1, 2], preVote: false, checkQuorum: false),
            hardState: HardState(term: 5), entries: followerLog, random: SplitMix64(seed: 2))
        leader.becomeCandidate()
        leader.becomeLeader()
        var appends = 0
        var toFollower = leader.ready().messages
        for _ in 0..<20 where !toFollower.isEmpty {
            appends += appendCount(toFollower)
            for message in toFollower { follower.step(message) }
            for message in follower.ready().messages { leader.step(message) }
            toFollower = leader.ready().messages.filter { $0.to == 2 }
        }
        #expect(follower.log.entries == leader.log.entries)
        #expect(appends <= 4)
    }

    @Test("an entry from an earlier term is committed only through an entry of the current term")
    func figureEight() {
        let config = Config(id: 1, peers: [1, 2, 3], preVote: false, checkQuorum: false)
        var leader = RaftNode(
            config: config, hardState: HardState(term: 2), entries: entries(from: 1, terms: [1, 2]),
            random: SplitMix64(seed: 3))
        leader.becomeCandidate()
        leader.becomeLeader()
        // The leader persists its no-op; only then does its own copy count.
        leader.advance(leader.ready())
        // Follower 2 acknowledges the term-2 entry but not yet the new term-3 no-op.
        leader.step(
            Message(
                from: 2, to: 1, term: 3, kind: .appendEntriesResponse(success: true, matchIndex: 2, rejectHint: nil)))
        #expect(leader.log.committed == 0)
        leader.step(
            Message(
                from: 2, to: 1, term: 3, kind: .appendEntriesResponse(success: true, matchIndex: 3, rejectHint: nil)))
        #expect(leader.log.committed == 3)
    }

    @Test("malformed, stale and foreign messages never crash a node nor break its log")
    func garbageIsHarmless() {
        var random = SplitMix64(seed: 99)
        for role in 0..<3 {
            var node = RaftNode(
                config: Config(id: 1, peers: [1, 2, 3]), hardState: HardState(term: 3),
                entries: entries(from: 1, terms: [1, 2, 3]), random: SplitMix64(seed: 4))
            if role >= 1 { node.becomeCandidate() }
            if role == 2 { node.becomeLeader() }
            for _ in 0..<3000 {
                let small = { (bound: UInt64) -> UInt64 in random.next(below: bound) }
                let wild = { () -> UInt64 in
                    random.next(below: 4) == 0 ? UInt64.max - random.next(below: 2) : small(1000)
                }
                let junk = entries(from: small(8), terms: (0..<Int(small(4))).map { _ in small(6) })
                let kinds: [Message.Kind] = [
                    .preVote(lastIndex: wild(), lastTerm: small(6)),
                    .preVoteResponse(granted: small(2) == 0),
                    .requestVote(lastIndex: small(10), lastTerm: small(6), transfer: wild() % 2 == 0),
                    .requestVoteResponse(granted: small(2) == 0),
                    .appendEntries(prevIndex: small(10), prevTerm: small(6), entries: junk, commit: wild()),
                    .appendEntriesResponse(
                        success: small(2) == 0, matchIndex: wild(),
                        rejectHint: .init(index: wild(), term: small(9))),
                    .heartbeat(commit: wild(), readContext: wild()),
                    .heartbeatResponse(readContext: wild()),
                    .readIndex(context: wild()),
                    .readIndexResponse(context: wild(), index: wild()),
                    .timeoutNow,
                    .snapshot(
                        SnapshotMetadata(
                            index: wild(), term: small(6), membership: Membership(voters: [1, small(5)]))),
                ]
                let kind = kinds[Int(small(UInt64(kinds.count)))]
                node.step(Message(from: small(5), to: small(3), term: small(2) == 0 ? small(6) : wild(), kind: kind))
                if small(10) == 0 { node.tick() }
                if small(10) == 0 { _ = try? node.propose([1]) }
                let ready = node.ready()
                node.advance(ready)
                #expect(node.log.committed <= node.log.lastIndex)
                let start = node.log.compactedIndex
                #expect(zip(node.log.entries, 1...).allSatisfy { $0.0.index == start + Index($0.1) })
            }
        }
    }
}
