extension RaftNode {
    /// The metadata a snapshot of the state machine taken right after applying `index` must carry.
    public func snapshotMetadata(at index: Index) throws(RaftError) -> SnapshotMetadata {
        guard index <= applied, let term = log.term(at: index), index >= log.compactedIndex else {
            throw .indexUnavailable(index)
        }
        return SnapshotMetadata(index: index, term: term, membership: membership(at: index))
    }

    /// Records that the driver durably stored `snapshot`, and drops log entries up to `compactThrough` (kept
    /// below the snapshot so that slightly lagging followers still get entries instead of a whole snapshot).
    /// Returns the new start of the log, which the driver records in its log store, or nil if nothing moved.
    @discardableResult
    public mutating func snapshotStored(_ snapshot: SnapshotMetadata, compactThrough: Index) -> SnapshotMetadata? {
        if snapshot.index > (latestSnapshot?.index ?? 0) {
            latestSnapshot = snapshot
        }
        let target = min(compactThrough, snapshot.index, applied, log.committed, log.stableIndex)
        guard target > log.compactedIndex, let term = log.term(at: target) else { return nil }
        let start = SnapshotMetadata(index: target, term: term, membership: membership(at: target))
        log.compact(through: target)
        compactedMembership = start.membership
        return start
    }

    /// Tells the leader how sending a snapshot to `peer` ended. Either way the peer is probed next: after a
    /// success right past the snapshot (so a lost answer cannot stall it), after a failure from its match
    /// point, which sends the snapshot anew if it still needs it.
    public mutating func reportSnapshot(to peer: NodeID, succeeded: Bool) {
        guard role == .leader, var progress = progress[peer], case .snapshot(let pending) = progress.state else {
            return
        }
        progress.becomeProbe()
        if succeeded {
            progress.next = max(progress.next, pending + 1)
        }
        self.progress[peer] = progress
    }

    mutating func sendSnapshot(to peer: NodeID) -> Bool {
        guard var progress = progress[peer], let snapshot = latestSnapshot, progress.recentActive else {
            return false
        }
        progress.becomeSnapshot(pending: snapshot.index)
        self.progress[peer] = progress
        send(Message(from: id, to: peer, term: term, kind: .snapshot(snapshot)))
        return true
    }

    /// A follower's side: adopt the snapshot unless the log already holds what it covers.
    mutating func handleSnapshot(from leaderID: NodeID, metadata: SnapshotMetadata) {
        func reply(_ matchIndex: Index) {
            send(
                Message(
                    from: id, to: leaderID, term: term,
                    kind: .appendEntriesResponse(success: true, matchIndex: matchIndex, rejectHint: nil)))
        }
        if metadata.index <= log.committed {
            reply(log.committed)
            return
        }
        if log.matches(index: metadata.index, term: metadata.term) {
            log.commit(to: metadata.index)
            reply(metadata.index)
            return
        }
        log.restore(index: metadata.index, term: metadata.term)
        compactedMembership = metadata.membership
        recomputeMembership()
        latestSnapshot = metadata
        snapshotToInstall = metadata
        applied = metadata.index
        reply(metadata.index)
    }
}
