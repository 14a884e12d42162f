import Testing

@testable import Raft

extension Cluster {
    /// Ticks and delivers until a leader has committed an entry of its term; returns its slot.
    mutating func electLeader() -> Int? {
        for _ in 0..<500 {
            tickAll()
            deliverAll()
            if let leader = currentLeader, let node = servers[leader].node, node.hasCommittedInTerm {
                return leader
            }
        }
        return nil
    }

    mutating func settle(rounds: Int = 30) {
        for _ in 0..<rounds {
            tickAll()
            deliverAll()
        }
    }
}

@Suite("Leadership transfer")
struct LeadershipTransferTests {
    @Test("the target takes over in the next term and the old leader refuses proposals meanwhile")
    func transferHandsOver() throws {
        var cluster = Cluster(size: 3, seed: 7)
        let leaderSlot = cluster.electLeader()
        let leader = try #require(leaderSlot)
        let target = (leader + 1) % 3
        let oldTerm = try #require(cluster.servers[leader].node?.term)
        try cluster.servers[leader].node?.transferLeadership(to: NodeID(target + 1))
        #expect(throws: RaftError.transferInProgress) { try cluster.servers[leader].node?.propose([1]) }
        cluster.processReady(leader)
        cluster.deliverAll()
        #expect(cluster.currentLeader == target)
        #expect(cluster.servers[target].node?.term == oldTerm + 1)
        #expect(cluster.servers[leader].node?.role == .follower)
    }

    @Test("a transfer to a server that is not a voter is refused")
    func transferToLearnerRefused() throws {
        var cluster = Cluster(size: 4, seed: 8, voters: 3)
        let leaderSlot = cluster.electLeader()
        let leader = try #require(leaderSlot)
        #expect(throws: RaftError.self) { try cluster.servers[leader].node?.transferLeadership(to: 4) }
        #expect(cluster.servers[leader].node?.transferTarget == nil)
    }
}

@Suite("Membership changes")
struct MembershipChangeTests {
    @Test("a learner receives the log, is promoted, and then counts toward quorum")
    func learnerCatchesUpAndIsPromoted() throws {
        var cluster = Cluster(size: 4, seed: 11, voters: 3)
        let leaderSlot = cluster.electLeader()
        let leader = try #require(leaderSlot)
        for value in UInt8(1)...5 { cluster.propose(leader, [value]) }
        cluster.proposeMembershipChange(leader, .addLearner(4, context: Array("10.0.0.4:4648".utf8)))
        cluster.settle()
        #expect(cluster.servers[3].applied.count == cluster.committed.count)
        #expect(cluster.servers[3].node?.membership.learners == [4])
        #expect(cluster.servers[3].node?.role == .follower)
        #expect(cluster.servers[leader].node?.membership.context[4] == Array("10.0.0.4:4648".utf8))

        cluster.proposeMembershipChange(leader, .promote(4))
        cluster.settle()
        #expect(cluster.servers[leader].node?.membership.voters == [1, 2, 3, 4])
        // With four voters, two servers down leave no quorum.
        let others = (0..<3).filter { $0 != leader }
        cluster.crash(others[0])
        cluster.crash(others[1])
        let before = cluster.servers[leader].node?.log.committed
        cluster.propose(leader, [99])
        cluster.settle(rounds: 5)
        #expect(cluster.servers[leader].node?.log.committed == before)
    }

    @Test("only one membership change may be pending, and not before the leader committed in its term")
    func oneChangeAtATime() throws {
        var cluster = Cluster(size: 5, seed: 12, voters: 3)
        let leaderSlot = cluster.electLeader()
        let leader = try #require(leaderSlot)
        var node = try #require(cluster.servers[leader].node)
        try node.proposeMembershipChange(.addLearner(4, context: []))
        #expect(node.isMembershipChangePending)
        #expect(throws: RaftError.membershipChangePending) {
            try node.proposeMembershipChange(.addLearner(5, context: []))
        }
        #expect(throws: RaftError.self) { try node.proposeMembershipChange(.promote(5)) }

        var fresh = RaftNode(config: Config(id: 1, peers: [1, 2, 3]), random: SplitMix64(seed: 1))
        fresh.becomeCandidate()
        fresh.becomeLeader()
        #expect(throws: RaftError.leaderNotReady) { try fresh.proposeMembershipChange(.remove(2)) }
    }

    @Test("a leader that removes itself steps down once the change commits, and the rest elect a new leader")
    func removedLeaderStepsDown() throws {
        var cluster = Cluster(size: 3, seed: 13)
        let leaderSlot = cluster.electLeader()
        let leader = try #require(leaderSlot)
        let leaderID = NodeID(leader + 1)
        cluster.proposeMembershipChange(leader, .remove(leaderID))
        cluster.deliverAll()
        #expect(cluster.servers[leader].node?.role == .follower)
        #expect(cluster.servers[leader].node?.isPromotable == false)
        cluster.crash(leader)
        let nextSlot = cluster.electLeader()
        let next = try #require(nextSlot)
        #expect(next != leader)
        #expect(cluster.servers[next].node?.membership.voters.contains(leaderID) == false)
    }

    @Test("invalid changes are refused with a reason")
    func invalidChanges() {
        let membership = Membership(voters: [1], learners: [2])
        #expect(throws: RaftError.invalidMembershipChange("server 1 is already a member")) {
            try membership.applying(.addVoter(1, context: []))
        }
        #expect(throws: RaftError.self) { try membership.applying(.remove(1)) }
        #expect(throws: RaftError.self) { try membership.applying(.promote(3)) }
        #expect(throws: RaftError.self) { try membership.applying(.addLearner(0, context: [])) }
        #expect((try? membership.applying(.promote(2)))?.voters == [1, 2])
    }
}

@Suite("Linearizable reads")
struct ReadIndexTests {
    @Test("a leader cut off from its followers cannot serve a read, the new leader serves it after its commit")
    func partitionedLeaderCannotServe() throws {
        var cluster = Cluster(size: 3, seed: 21)
        let leaderSlot = cluster.electLeader()
        let leader = try #require(leaderSlot)
        cluster.group[leader] = 1
        cluster.read(on: leader)
        cluster.deliverAll()
        #expect(cluster.readsServed == 0)
        // The majority elects a new leader, commits, and serves a read there.
        let majoritySlot = cluster.electLeaderAmong((0..<3).filter { $0 != leader })
        let majority = try #require(majoritySlot)
        cluster.propose(majority, [7])
        cluster.deliverAll()
        cluster.read(on: majority)
        cluster.deliverAll()
        #expect(cluster.readsServed == 1)
        #expect(cluster.violations == [])
    }

    @Test("a follower's read goes through the leader and waits for the leader's commit index")
    func followerRead() throws {
        var cluster = Cluster(size: 3, seed: 22)
        let leaderSlot = cluster.electLeader()
        let leader = try #require(leaderSlot)
        for value in UInt8(1)...3 { cluster.propose(leader, [value]) }
        let follower = (leader + 1) % 3
        cluster.read(on: follower)
        cluster.deliverAll()
        #expect(cluster.readsServed == 1)
        #expect(cluster.violations == [])
    }

    @Test("lease reads are answered by the leader without a heartbeat round")
    func leaseRead() throws {
        var cluster = Cluster(size: 3, seed: 23, leaseReads: true)
        let leaderSlot = cluster.electLeader()
        let leader = try #require(leaderSlot)
        cluster.group[leader] = 1
        cluster.read(on: leader)
        #expect(cluster.readsServed == 1)
    }
}

@Suite("Snapshots")
struct SnapshotTests {
    @Test("a server added after compaction catches up through a snapshot, then through entries")
    func newServerGetsSnapshot() throws {
        var cluster = Cluster(size: 4, seed: 31, voters: 3)
        let leaderSlot = cluster.electLeader()
        let leader = try #require(leaderSlot)
        for value in UInt8(1)...20 { cluster.propose(leader, [value]) }
        cluster.deliverAll()
        cluster.snapshot(leader, trailing: 2)
        let compacted = try #require(cluster.servers[leader].node?.log.compactedIndex)
        #expect(compacted > 10)
        cluster.proposeMembershipChange(leader, .addLearner(4, context: []))
        cluster.settle()
        #expect(cluster.snapshotsInstalled == 1)
        cluster.propose(leader, [42])
        cluster.settle()
        #expect(cluster.servers[3].applied == cluster.committed)
        #expect(cluster.violations == [])
    }

    @Test("compaction never passes the applied index")
    func compactionBounded() throws {
        var cluster = Cluster(size: 3, seed: 32)
        let leaderSlot = cluster.electLeader()
        let leader = try #require(leaderSlot)
        var node = try #require(cluster.servers[leader].node)
        #expect(throws: RaftError.self) { try node.snapshotMetadata(at: node.applied + 1) }
        let metadata = try node.snapshotMetadata(at: node.applied)
        let start = node.snapshotStored(metadata, compactThrough: node.log.lastIndex + 10)
        #expect((start?.index ?? 0) <= node.applied)
    }
}

extension Cluster {
    /// Elects a leader among `slots` only, the others being cut off.
    mutating func electLeaderAmong(_ slots: [Int]) -> Int? {
        for _ in 0..<500 {
            tickAll()
            deliverAll()
            if let leader = slots.first(where: { servers[$0].node?.role == .leader }),
                servers[leader].node?.hasCommittedInTerm == true
            {
                return leader
            }
        }
        return nil
    }
}
