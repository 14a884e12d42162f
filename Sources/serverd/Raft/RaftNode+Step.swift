extension RaftNode {
    /// Handles one message from a peer; stale, foreign or malformed messages are ignored or answered.
    public mutating func step(_ message: Message) {
        // No real group reaches the largest term; accepting it would leave no term to campaign in.
        guard message.to == id, message.from != id, message.from != 0, message.term < Term.max,
            message.kind.hasPlausibleIndexes
        else { return }
        // Only voters take part in elections; anyone may lead us (a new server does not know its leader yet).
        if message.kind.isElection && !membership.isVoter(message.from) { return }
        guard handleTerm(of: message) else { return }
        switch message.kind {
        case .preVote(let lastIndex, let lastTerm):
            handleVoteRequest(message, lastIndex: lastIndex, lastTerm: lastTerm, preVote: true)
        case .requestVote(let lastIndex, let lastTerm, _):
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
        case .heartbeat(let commit, let readContext):
            guard acceptLeader(message.from) else { return }
            log.commit(to: commit)
            send(Message(from: id, to: message.from, term: term, kind: .heartbeatResponse(readContext: readContext)))
        case .snapshot(let metadata):
            guard acceptLeader(message.from) else { return }
            handleSnapshot(from: message.from, metadata: metadata)
        case .timeoutNow:
            guard acceptLeader(message.from) else { return }
            campaign(transfer: true)
        case .appendEntriesResponse(let success, let matchIndex, let hint):
            guard role == .leader else { return }
            handleAppendResponse(from: message.from, success: success, matchIndex: matchIndex, hint: hint)
        case .heartbeatResponse(let readContext):
            guard role == .leader else { return }
            handleHeartbeatResponse(from: message.from, readContext: readContext)
        case .readIndex(let context):
            guard role == .leader, membership.contains(message.from) else { return }
            requestRead(from: message.from, context: context)
        case .readIndexResponse(let context, let index):
            guard role != .leader, message.from == leader, index > 0 else { return }
            readStates.append(ReadState(context: context, index: index))
        }
    }

    /// Applies the term rules; returns whether the message should be processed further.
    private mutating func handleTerm(of message: Message) -> Bool {
        if message.term > term {
            switch message.kind {
            case .preVote, .requestVote:
                var isPreVote = false
                var isTransfer = false
                if case .preVote = message.kind { isPreVote = true }
                if case .requestVote(_, _, let transfer) = message.kind { isTransfer = transfer }
                // A node that heard from a leader recently refuses to help unseat it, unless that leader asked.
                let inLease =
                    (config.checkQuorum || isPreVote) && leader != nil
                    && electionElapsed < config.electionTick && !isTransfer
                if inLease { return false }
                if isPreVote { return true }
                becomeFollower(term: message.term, leader: nil)
            case .preVoteResponse(granted: true):
                // Granted pre-votes carry the term the pre-candidate would use; they never raise ours.
                return true
            case .appendEntries, .heartbeat, .snapshot, .timeoutNow:
                becomeFollower(term: message.term, leader: message.from)
            default:
                becomeFollower(term: message.term, leader: nil)
            }
            return true
        }
        if message.term < term {
            switch message.kind {
            case .appendEntries, .heartbeat, .snapshot:
                // Tell a deposed leader about the newer term so it steps down. Staying silent would strand
                // this node: the leader's peers ignore its election messages once it is no longer a voter.
                send(
                    Message(
                        from: id, to: message.from, term: term,
                        kind: .appendEntriesResponse(success: false, matchIndex: 0, rejectHint: nil)))
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
            noteAppended(after: prevIndex, entries: entries)
            log.commit(to: min(commit, lastNew))
            reply(.appendEntriesResponse(success: true, matchIndex: lastNew, rejectHint: nil))
            return
        }
        let hintIndex = log.lastIndex(atOrBelow: prevIndex, withTermAtMost: prevTerm)
        let hint = Message.RejectHint(index: hintIndex, term: log.term(at: hintIndex) ?? 0)
        reply(.appendEntriesResponse(success: false, matchIndex: prevIndex, rejectHint: hint))
    }
}

extension Message.Kind {
    /// No real log gets near 2^62 entries; refusing larger indexes keeps all index arithmetic from overflowing.
    static let largestPlausibleIndex: Index = 1 << 62

    var hasPlausibleIndexes: Bool {
        let limit = Self.largestPlausibleIndex
        switch self {
        case .appendEntries(let prevIndex, _, let entries, _):
            return prevIndex < limit && entries.allSatisfy { $0.index < limit }
        case .snapshot(let metadata):
            return metadata.index < limit
        case .appendEntriesResponse(_, let matchIndex, let hint):
            return matchIndex < limit && (hint?.index ?? 0) < limit
        case .readIndexResponse(_, let index):
            return index < limit
        default:
            return true
        }
    }

    /// Votes and their answers, which only voters may send.
    var isElection: Bool {
        switch self {
        case .preVote, .preVoteResponse, .requestVote, .requestVoteResponse: true
        default: false
        }
    }
}
