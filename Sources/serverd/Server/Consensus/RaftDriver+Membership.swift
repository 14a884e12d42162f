import CaravanProto
import CaravanRPC
import Raft

extension RaftDriver {
    /// Writes the first membership of a brand-new cluster: every server of the initial set writes the same
    /// entry at index 1, term 1, so their logs agree from the start (as hashicorp/raft's bootstrap does).
    func bootstrap(members: [RaftMember]) async throws {
        guard !bootstrapStarted, node.term == 0, node.log.lastIndex == 0, node.latestSnapshot == nil else { return }
        bootstrapStarted = true
        var context: [NodeID: [UInt8]] = [:]
        for member in members { context[member.id] = member.context }
        let membership = Membership(voters: members.map(\.id), context: context)
        let entry = Entry(term: 1, index: 1, kind: .configuration(membership))
        let hardState = HardState(term: 1, vote: nil, commit: 0)
        let store = logStore
        try await onStorageThread { try store.save(snapshot: nil, entries: [entry], hardState: hardState) }
        node = RaftNode(
            config: Self.config(id: id, settings: settings), hardState: hardState, entries: [entry],
            random: SplitMix64(seed: UInt64.random(in: 1...UInt64.max)))
        logger.info("bootstrapped raft cluster", metadata: ["servers": "\(members.map(\.name).sorted())"])
        refreshMembers()
        kick()
    }

    /// Whether this server belongs to a formed cluster (it knows a membership with voters).
    var isFormed: Bool { !node.membership.voters.isEmpty }

    var isMember: Bool { node.membership.contains(id) }

    public var membersByID: [NodeID: RaftMember] { knownMembers }

    /// Runs a membership change or transfer on the leader. Followers forward to it.
    func performOperatorAction(_ request: Caravan_V1_RaftOperatorRequest) async throws
        -> Caravan_V1_RaftOperatorResponse
    {
        try checkAvailable()
        guard node.role == .leader else { throw notLeaderError() }
        switch request.action {
        case .addServer(let wire):
            let member = try RaftMember(wire: wire)
            if node.membership.contains(member.id) { return .with { $0.index = node.membershipIndex } }
            let index = try proposeChange(.addLearner(member.id, context: member.context))
            return .with { $0.index = index }
        case .removeServer(let target):
            let index = try proposeChange(.remove(target))
            return .with { $0.index = index }
        case .transferLeadershipTo(let target):
            do {
                try node.transferLeadership(to: target)
            } catch {
                throw CaravanError.failedPrecondition(Self.describe(error))
            }
            kick()
            return .with { $0.leaderID = node.transferTarget ?? 0 }
        case .listPeers:
            return .with { $0.peers = peerList() }
        case .none:
            throw CaravanError.invalidArgument("operator request names no action")
        }
    }

    private func proposeChange(_ change: MembershipChange) throws -> Index {
        do {
            let index = try node.proposeMembershipChange(change)
            kick()
            return index
        } catch {
            throw CaravanError.failedPrecondition(Self.describe(error))
        }
    }

    static func describe(_ error: RaftError) -> String {
        switch error {
        case .notLeader: "not the leader"
        case .transferInProgress: "a leadership transfer is in progress"
        case .membershipChangePending: "another membership change is still being committed; retry shortly"
        case .leaderNotReady: "the new leader has not committed its first entry yet; retry shortly"
        case .invalidMembershipChange(let reason): reason
        case .indexUnavailable(let index): "log index \(index) is not available"
        }
    }

    /// The leader's housekeeping, run about once a second: promote non-voters that have caught up.
    func promoteCaughtUpLearners() {
        guard node.role == .leader, !node.isMembershipChangePending else { return }
        let status = node.replicationStatus
        for learner in node.membership.learners {
            guard let progress = status[learner], progress.match >= node.log.committed, progress.recentActive
            else { continue }
            if (try? node.proposeMembershipChange(.promote(learner))) != nil {
                logger.info(
                    "promoting caught-up server to voter",
                    metadata: ["server": "\(knownMembers[learner]?.name ?? "\(learner)")"])
                kick()
            }
            return
        }
    }

    /// The peers as this server (the leader, when asked through `forwardOperator`) sees them.
    func peerList() -> Caravan_V1_RaftListPeersResponse {
        let status = status
        return .with {
            $0.servers = status.membership.members.map { id in
                let member = status.members[id]
                let replication = status.replication[id]
                return .with {
                    $0.id = RaftPeerID.format(id)
                    $0.node = member?.name ?? ""
                    $0.address = member?.raftAddress.description ?? ""
                    $0.leader = status.leader == id
                    $0.voter = status.membership.isVoter(id)
                    $0.lastIndex = id == status.id ? status.lastIndex : replication?.match ?? 0
                    $0.raftProtocol = 1
                    $0.healthy = id == status.id || (replication?.recentActive ?? false)
                }
            }
            $0.meta = .with {
                $0.index = status.appliedIndex
                $0.knownLeader = status.leader != nil
            }
        }
    }

    // MARK: Status

    public var status: RaftStatus {
        RaftStatus(
            id: id, role: node.role, term: node.term, leader: node.leader, commitIndex: node.log.committed,
            appliedIndex: node.applied, lastIndex: node.log.lastIndex, membership: node.membership,
            members: knownMembers, replication: node.role == .leader ? node.replicationStatus : [:],
            lastContact: node.role == .leader ? .zero : ContinuousClock.now - lastContact)
    }
}

/// A point-in-time view of this server's Raft state, for status and operator commands.
public struct RaftStatus: Sendable {
    public var id: NodeID
    public var role: Role
    public var term: Term
    public var leader: NodeID?
    public var commitIndex: Index
    public var appliedIndex: Index
    public var lastIndex: Index
    public var membership: Membership
    public var members: [NodeID: RaftMember]
    public var replication: [NodeID: ReplicationStatus]
    public var lastContact: Duration
}
