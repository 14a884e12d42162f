/// One single-server membership change. Changing one server at a time keeps every old and new majority
/// overlapping, so no joint consensus is needed (Ongaro's thesis, §4.1).
public enum MembershipChange: Sendable, Hashable {
    /// Adds a voter at once. Prefer `addLearner` then `promote`, so a new server catches up before it counts.
    case addVoter(NodeID, context: [UInt8])
    /// Adds a non-voter that receives the log but neither votes nor counts toward quorum.
    case addLearner(NodeID, context: [UInt8])
    /// Turns a learner into a voter.
    case promote(NodeID)
    /// Removes a voter or learner; a leader that removes itself steps down once the change commits.
    case remove(NodeID)
}

extension Membership {
    /// The membership after `change`, or why the change is not possible.
    public func applying(_ change: MembershipChange) throws(RaftError) -> Membership {
        var voters = Set(voters)
        var learners = Set(learners)
        var context = context
        switch change {
        case .addVoter(let id, let data), .addLearner(let id, let data):
            guard id != 0 else { throw .invalidMembershipChange("server ID 0 is not valid") }
            guard !contains(id) else { throw .invalidMembershipChange("server \(id) is already a member") }
            if case .addVoter = change { voters.insert(id) } else { learners.insert(id) }
            context[id] = data
        case .promote(let id):
            guard learners.contains(id) else {
                throw .invalidMembershipChange("server \(id) is not a non-voter, so it cannot be promoted")
            }
            learners.remove(id)
            voters.insert(id)
        case .remove(let id):
            guard contains(id) else { throw .invalidMembershipChange("server \(id) is not a member") }
            if voters.contains(id) && voters.count == 1 {
                throw .invalidMembershipChange("server \(id) is the last voter; removing it would end the cluster")
            }
            voters.remove(id)
            learners.remove(id)
            context[id] = nil
        }
        return Membership(voters: Array(voters), learners: Array(learners), context: context)
    }
}

extension RaftNode {
    /// Appends a membership change. Only the leader may, one change at a time, and only once it has committed
    /// an entry of its own term (otherwise a change from a previous term could still be replaced).
    @discardableResult
    public mutating func proposeMembershipChange(_ change: MembershipChange) throws(RaftError) -> Index {
        guard role == .leader else { throw .notLeader(leaderHint: leader) }
        guard transferTarget == nil else { throw .transferInProgress }
        guard hasCommittedInTerm else { throw .leaderNotReady }
        guard membershipIndex <= log.committed else { throw .membershipChangePending }
        let next = try membership.applying(change)
        let index = appendAsLeader([.configuration(next)])
        broadcastAppend()
        return index
    }

    /// Whether a membership change is appended but not yet committed.
    public var isMembershipChangePending: Bool { membershipIndex > log.committed }

    /// The membership in force right after `index`, which must not be compacted away.
    func membership(at index: Index) -> Membership {
        var candidate = min(index, log.lastIndex)
        while candidate > log.compactedIndex {
            if let entry = log.entry(at: candidate), case .configuration(let found) = entry.kind {
                return found
            }
            candidate -= 1
        }
        return compactedMembership
    }

    /// Finds the newest configuration entry in the log again, after entries were appended or truncated.
    mutating func recomputeMembership() {
        var candidate = log.lastIndex
        while candidate > log.compactedIndex {
            if let entry = log.entry(at: candidate), case .configuration(let found) = entry.kind {
                setMembership(found, index: candidate)
                return
            }
            candidate -= 1
        }
        setMembership(compactedMembership, index: log.compactedIndex)
    }

    /// Notes configuration entries just appended after `prevIndex`; a truncation may have removed the last one.
    mutating func noteAppended(after prevIndex: Index, entries: [Entry]) {
        if membershipIndex > prevIndex {
            recomputeMembership()
            return
        }
        for entry in entries.reversed() {
            if case .configuration(let found) = entry.kind {
                setMembership(found, index: entry.index)
                return
            }
        }
    }

    private mutating func setMembership(_ new: Membership, index: Index) {
        membership = new
        membershipIndex = index
        if role == .leader {
            syncProgressWithMembership()
        }
    }

    /// Gives every member a progress entry and drops those of servers that left.
    mutating func syncProgressWithMembership() {
        for peer in otherMembers where progress[peer] == nil {
            progress[peer] = Progress(next: log.lastIndex + 1)
        }
        var own = progress[id] ?? Progress(next: log.lastIndex + 1)
        // The leader counts only what it has persisted itself (see `advance`).
        own.match = max(own.match, log.stableIndex)
        own.next = log.lastIndex + 1
        own.state = .replicate
        own.recentActive = true
        progress[id] = own
        for peer in progress.keys where peer != id && !membership.contains(peer) {
            progress[peer] = nil
        }
        if let target = transferTarget, !membership.isVoter(target) {
            transferTarget = nil
        }
    }

    /// A leader that is no longer a voter hands over once the change that removed it is committed.
    mutating func stepDownIfRemoved() {
        if role == .leader && !membership.isVoter(id) && membershipIndex <= log.committed {
            becomeFollower(term: term, leader: nil)
        }
    }
}
