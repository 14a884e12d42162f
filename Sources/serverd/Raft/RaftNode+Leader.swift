extension RaftNode {
    mutating func tickLeader() {
        heartbeatElapsed += 1
        electionElapsed += 1
        if electionElapsed >= config.electionTick {
            electionElapsed = 0
            if config.checkQuorum {
                let active = voters.filter { $0 == id || progress[$0]?.recentActive == true }.count
                if active < quorum {
                    becomeFollower(term: term, leader: nil)
                    return
                }
            }
            for peer in otherMembers {
                progress[peer]?.recentActive = false
            }
        }
        if transferTarget != nil {
            transferElapsed += 1
            if transferElapsed >= config.electionTick {
                // The target did not take over within an election timeout: keep leading.
                transferTarget = nil
                transferElapsed = 0
            }
        }
        if heartbeatElapsed >= config.heartbeatTick {
            heartbeatElapsed = 0
            broadcastHeartbeat(readContext: reads.latestSequence)
        }
    }

    mutating func broadcastHeartbeat(readContext: UInt64) {
        for peer in otherMembers {
            let match = progress[peer]?.match ?? 0
            let commit = min(match, log.committed)
            send(Message(from: id, to: peer, term: term, kind: .heartbeat(commit: commit, readContext: readContext)))
        }
    }

    /// Appends entries of the current term; returns the last new index.
    @discardableResult
    mutating func appendAsLeader(_ kinds: [Entry.Kind]) -> Index {
        let prevIndex = log.lastIndex
        var entries: [Entry] = []
        for kind in kinds {
            entries.append(Entry(term: term, index: log.lastIndex + Index(entries.count) + 1, kind: kind))
        }
        log.append(entries)
        noteAppended(after: prevIndex, entries: entries)
        // The leader's own copy counts toward commit only once persisted (`advance`), so the driver may send
        // these entries to followers while it writes them locally (Raft thesis §10.2.1).
        return log.lastIndex
    }

    mutating func broadcastAppend(evenIfEmpty: Bool = false) {
        for peer in otherMembers {
            sendAppend(to: peer, evenIfEmpty: evenIfEmpty)
        }
    }

    /// Sends the next append (or the snapshot, when the entries it needs are compacted) to `peer`; returns
    /// whether anything was sent.
    @discardableResult
    mutating func sendAppend(to peer: NodeID, evenIfEmpty: Bool) -> Bool {
        guard var progress = progress[peer], !progress.isPaused(maxInflight: config.maxInflight) else { return false }
        let prevIndex = min(progress.next - 1, log.lastIndex)
        guard let prevTerm = log.term(at: prevIndex) else {
            return sendSnapshot(to: peer)
        }
        let entries = log.entries(from: prevIndex + 1, maxCount: config.maxEntriesPerMessage)
        // A probe with nothing new still goes out: it is how the match point is found.
        if entries.isEmpty && !evenIfEmpty && progress.state == .replicate { return false }
        switch progress.state {
        case .probe:
            progress.probeSent = true
        case .replicate:
            if let last = entries.last {
                progress.next = last.index + 1
                progress.inflight.append(last.index)
            }
        case .snapshot:
            return false
        }
        self.progress[peer] = progress
        let commit = log.committed
        send(
            Message(
                from: id, to: peer, term: term,
                kind: .appendEntries(prevIndex: prevIndex, prevTerm: prevTerm, entries: entries, commit: commit)))
        return true
    }

    mutating func handleAppendResponse(from peer: NodeID, success: Bool, matchIndex: Index, hint: Message.RejectHint?) {
        guard var progress = progress[peer] else { return }
        progress.recentActive = true
        if !success {
            var probeHint = min(hint?.index ?? matchIndex, log.lastIndex)
            if let hint, hint.term > 0 {
                probeHint = log.lastIndex(atOrBelow: hint.index, withTermAtMost: hint.term)
            }
            let backedOff = progress.backOff(rejected: matchIndex, hint: probeHint)
            self.progress[peer] = progress
            if backedOff {
                sendAppend(to: peer, evenIfEmpty: true)
            }
            return
        }
        // A peer cannot match entries this leader does not have; ignore such a claim.
        guard matchIndex <= log.lastIndex else {
            self.progress[peer] = progress
            return
        }
        let moved = progress.acknowledge(upTo: matchIndex)
        if case .snapshot(let pending) = progress.state {
            if progress.match >= pending { progress.becomeReplicate() }
        } else if moved && progress.state == .probe {
            progress.becomeReplicate()
        }
        self.progress[peer] = progress
        if peer == transferTarget && progress.match == log.lastIndex {
            send(Message(from: id, to: peer, term: term, kind: .timeoutNow))
        }
        guard moved else { return }
        if maybeCommit() {
            // Followers learn the new commit index right away, not at the next heartbeat: a write forwarded
            // by a follower is answered only once the follower has applied it.
            broadcastAppend(evenIfEmpty: true)
        } else {
            var sends = 0
            while sends < config.maxInflight, sendAppend(to: peer, evenIfEmpty: false) {
                sends += 1
            }
        }
    }

    mutating func handleHeartbeatResponse(from peer: NodeID, readContext: UInt64) {
        guard var progress = progress[peer] else { return }
        progress.recentActive = true
        progress.probeSent = false
        if progress.state == .replicate && progress.inflight.count >= config.maxInflight {
            progress.inflight.removeFirst()
        }
        self.progress[peer] = progress
        if readContext > 0 && membership.isVoter(peer) {
            reads.acknowledge(from: peer, upTo: readContext)
            releaseConfirmedReads()
        }
        if progress.match < log.lastIndex {
            sendAppend(to: peer, evenIfEmpty: true)
        }
    }

    /// Commits the highest index held by a quorum of voters, if it belongs to the current term.
    @discardableResult
    mutating func maybeCommit() -> Bool {
        let hadCommittedInTerm = hasCommittedInTerm
        let matches = voters.map { progress[$0]?.match ?? 0 }
        guard log.maybeCommit(to: Self.quorumIndex(matches), term: term) else { return false }
        if !hadCommittedInTerm {
            startDeferredReads()
        }
        stepDownIfRemoved()
        return role == .leader
    }

    /// The largest index that at least a majority of `matches` have reached.
    static func quorumIndex(_ matches: [Index]) -> Index {
        guard !matches.isEmpty else { return 0 }
        let sorted = matches.sorted(by: >)
        return sorted[sorted.count / 2]
    }
}
