extension RaftNode {
    /// Handles one message from a peer; stale, foreign or malformed messages are ignored or answered.
    public mutating func step(_ message: Message) {
        // No real group reaches the largest term; accepting it would leave no term to campaign in.
        guard message.to == id, message.from != id, voters.contains(message.from), message.term < Term.max else {
            return
        }
        guard handleTerm(of: message) else { return }
        switch message.kind {
        case .preVote(let lastIndex, let lastTerm):
            handleVoteRequest(message, lastIndex: lastIndex, lastTerm: lastTerm, preVote: true)
        case .requestVote(let lastIndex, let lastTerm):
            handleVoteRequest(message, lastIndex: lastIndex, lastTerm: lastTerm, preVote: false)
        case .preVoteResponse(let granted):
            guard role == .preCandidate else { return }
            _ = recordVote(from: message.from, granted: granted, preVote: true)
        case .requestVoteResponse(let granted):
            guard role == .candidate else { return }
            _ = recordVote(from: message.from, granted: granted, preVote: false)
        case .appendEntries(let prevIndex, let prevTerm, let entries, let commit):
            guard acceptLeader(message.from) else { return }
            handleAppend(from: message.from, prevIndex: prevIndex, prevTerm: prevTerm, entries: entries, commit: commit)
        case .heartbeat(let commit):
            guard acceptLeader(message.from) else { return }
            log.commit(to: commit)
            send(Message(from: id, to: message.from, term: term, kind: .heartbeatResponse))
        case .appendEntriesResponse(let success, let matchIndex, let hint):
            guard role == .leader else { return }
            handleAppendResponse(from: message.from, success: success, matchIndex: matchIndex, hint: hint)
        case .heartbeatResponse:
            guard role == .leader else { return }
            handleHeartbeatResponse(from: message.from)
        }
    }

    /// Applies the term rules; returns whether the message should be processed further.
    private mutating func handleTerm(of message: Message) -> Bool {
        if message.term > term {
            switch message.kind {
            case .preVote, .requestVote:
                let isPreVote: Bool
                if case .preVote = message.kind { isPreVote = true } else { isPreVote = false }
                // A node that heard from a leader recently refuses to help unseat it.
                let inLease =
                    (config.checkQuorum || isPreVote) && leader != nil
                    && electionElapsed < config.electionTick
                if inLease { return false }
                if isPreVote { return true }
                becomeFollower(term: message.term, leader: nil)
            case .preVoteResponse(granted: true):
                // Granted pre-votes carry the term the pre-candidate would use; they never raise ours.
                return true
            case .appendEntries, .heartbeat:
                becomeFollower(term: message.term, leader: message.from)
            default:
                becomeFollower(term: message.term, leader: nil)
            }
            return true
        }
        if message.term < term {
            switch message.kind {
            case .appendEntries, .heartbeat:
                if config.checkQuorum || config.preVote {
                    // Tell a deposed leader about the newer term so it steps down.
                    send(
                        Message(
                            from: id, to: message.from, term: term,
                            kind: .appendEntriesResponse(success: false, matchIndex: 0, rejectHint: nil)))
                }
            case .preVote:
                send(Message(from: id, to: message.from, term: term, kind: .preVoteResponse(granted: false)))
            default:
                break
            }
            return false
        }
        return true
    }

    /// A node that hears from the leader of its own term follows it; returns false if this node leads.
    private mutating func acceptLeader(_ from: NodeID) -> Bool {
        switch role {
        case .leader:
            return false
        case .preCandidate, .candidate:
            becomeFollower(term: term, leader: from)
        case .follower:
            leader = from
        }
        electionElapsed = 0
        return true
    }

    private mutating func handleVoteRequest(_ message: Message, lastIndex: Index, lastTerm: Term, preVote: Bool) {
        let canVote =
            vote == message.from || (vote == nil && leader == nil) || (preVote && message.term > term)
        let grant = canVote && log.isUpToDate(lastIndex: lastIndex, lastTerm: lastTerm)
        let kind: Message.Kind = preVote ? .preVoteResponse(granted: grant) : .requestVoteResponse(granted: grant)
        send(Message(from: id, to: message.from, term: grant ? message.term : term, kind: kind))
        if grant && !preVote {
            vote = message.from
            electionElapsed = 0
        }
    }

    private mutating func handleAppend(
        from leaderID: NodeID, prevIndex: Index, prevTerm: Term, entries: [Entry], commit: Index
    ) {
        func reply(_ kind: Message.Kind) {
            send(Message(from: id, to: leaderID, term: term, kind: kind))
        }
        if prevIndex < log.committed {
            reply(.appendEntriesResponse(success: true, matchIndex: log.committed, rejectHint: nil))
            return
        }
        if let lastNew = log.append(after: prevIndex, prevTerm: prevTerm, entries: entries) {
            log.commit(to: min(commit, lastNew))
            reply(.appendEntriesResponse(success: true, matchIndex: lastNew, rejectHint: nil))
            return
        }
        let hintIndex = log.lastIndex(atOrBelow: prevIndex, withTermAtMost: prevTerm)
        let hint = Message.RejectHint(index: hintIndex, term: log.term(at: hintIndex) ?? 0)
        reply(.appendEntriesResponse(success: false, matchIndex: prevIndex, rejectHint: hint))
    }
}
