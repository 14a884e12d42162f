extension RaftNode {
    /// Hands leadership to `target` (0 = the most up-to-date other voter): the leader stops taking proposals,
    /// brings the target's log up to date, then tells it to campaign at once. If the target has not taken
    /// over within an election timeout, the leader resumes.
    public mutating func transferLeadership(to target: NodeID) throws(RaftError) {
        guard role == .leader else { throw .notLeader(leaderHint: leader) }
        let chosen = target != 0 ? target : mostUpToDateVoter()
        guard let chosen, chosen != id else {
            throw .invalidMembershipChange("no other voter to transfer leadership to")
        }
        guard membership.isVoter(chosen) else {
            throw .invalidMembershipChange("server \(chosen) is not a voter, so it cannot lead")
        }
        transferTarget = chosen
        transferElapsed = 0
        if progress[chosen]?.match == log.lastIndex {
            send(Message(from: id, to: chosen, term: term, kind: .timeoutNow))
        } else {
            sendAppend(to: chosen, evenIfEmpty: true)
        }
    }

    private func mostUpToDateVoter() -> NodeID? {
        otherVoters.max { (progress[$0]?.match ?? 0, $1) < (progress[$1]?.match ?? 0, $0) }
    }
}
