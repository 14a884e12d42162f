/// The leader's linearizable reads waiting for a quorum to confirm it still leads (ReadIndex, Raft thesis §6.4).
///
/// Each read gets a sequence number that rides on the next heartbeats. A follower's answer carrying
/// sequence `s` confirms every read up to `s`, because that heartbeat left after they were queued.
struct ReadQueue: Sendable {
    struct Request: Sendable, Hashable {
        var sequence: UInt64
        /// Who asked: the leader itself or a follower that forwarded the read.
        var from: NodeID
        var context: UInt64
        /// The commit index when the read arrived; the read is served once it is applied.
        var index: Index
    }

    /// Reads that arrived before the leader committed an entry of its term; they get an index only then.
    var deferred: [(from: NodeID, context: UInt64)] = []
    var pending: [Request] = []
    var latestSequence: UInt64 = 0
    var acknowledged: [NodeID: UInt64] = [:]

    mutating func enqueue(from: NodeID, context: UInt64, index: Index) -> UInt64 {
        latestSequence += 1
        pending.append(Request(sequence: latestSequence, from: from, context: context, index: index))
        return latestSequence
    }

    mutating func acknowledge(from voter: NodeID, upTo sequence: UInt64) {
        acknowledged[voter] = max(acknowledged[voter] ?? 0, min(sequence, latestSequence))
    }

    /// Removes and returns the reads a quorum of `voters` has confirmed, oldest first; `leader` counts itself.
    mutating func takeConfirmed(voters: [NodeID], leader: NodeID, quorum: Int) -> [Request] {
        var released = 0
        for request in pending {
            let confirmations = voters.filter { $0 == leader || (acknowledged[$0] ?? 0) >= request.sequence }.count
            guard confirmations >= quorum else { break }
            released += 1
        }
        let confirmed = Array(pending.prefix(released))
        pending.removeFirst(released)
        return confirmed
    }
}

extension RaftNode {
    /// Asks for a linearizable read identified by `context`. The answer arrives as a `ReadState` in a later
    /// `Ready`: once the state machine has applied its index, reading it is linearizable. Returns false when
    /// no leader is known, so the caller can fail fast instead of waiting.
    @discardableResult
    public mutating func readIndex(context: UInt64) -> Bool {
        if role == .leader {
            requestRead(from: id, context: context)
            return true
        }
        guard let leader else { return false }
        send(Message(from: id, to: leader, term: term, kind: .readIndex(context: context)))
        return true
    }

    mutating func requestRead(from requester: NodeID, context: UInt64) {
        guard hasCommittedInTerm else {
            // Until an entry of this term commits, the leader may not know the latest committed index.
            reads.deferred.append((requester, context))
            return
        }
        if config.leaseReads || quorum <= 1 {
            serveRead(ReadQueue.Request(sequence: 0, from: requester, context: context, index: log.committed))
            return
        }
        let sequence = reads.enqueue(from: requester, context: context, index: log.committed)
        broadcastHeartbeat(readContext: sequence)
    }

    mutating func startDeferredReads() {
        let deferred = reads.deferred
        reads.deferred.removeAll()
        for read in deferred {
            requestRead(from: read.from, context: read.context)
        }
    }

    mutating func releaseConfirmedReads() {
        for request in reads.takeConfirmed(voters: voters, leader: id, quorum: quorum) {
            serveRead(request)
        }
    }

    private mutating func serveRead(_ request: ReadQueue.Request) {
        if request.from == id {
            readStates.append(ReadState(context: request.context, index: request.index))
        } else {
            send(
                Message(
                    from: id, to: request.from, term: term,
                    kind: .readIndexResponse(context: request.context, index: request.index)))
        }
    }
}
