import CaravanProto
import CaravanRPC
import Raft

extension RaftDriver {
    /// Appends `data` through this server, which must lead; returns once the entry is applied here.
    ///
    /// Errors: UNAVAILABLE "not the leader" when it does not lead (nothing was appended, safe to retry
    /// elsewhere); DEADLINE_EXCEEDED when the entry was appended but not applied in time (it may still be).
    public func proposeAsLeader(_ data: [UInt8]) async throws -> AppliedEntry {
        try checkAvailable()
        guard node.role == .leader else { throw notLeaderError() }
        let deadline = settings.requestTimeout
        nextWriteToken += 1
        let token = nextWriteToken
        return try await withCheckedThrowingContinuation { continuation in
            batch.append(BatchedWrite(token: token, data: data, continuation: continuation))
            kick()
            Task { [weak self] in
                try? await Task.sleep(for: deadline)
                await self?.expireWrite(token: token)
            }
        }
    }

    func checkAvailable() throws(CaravanError) {
        if let storageFailure { throw .unavailable("raft storage failed on this server: \(storageFailure)") }
        if stopped { throw .unavailable("server is shutting down") }
    }

    func notLeaderError() -> CaravanError {
        if let leader = node.leader, let member = knownMembers[leader] {
            return .unavailable("not the leader; the leader is \(member.name) at \(member.rpcAddress)")
        }
        return .unavailable("no cluster leader")
    }

    /// Proposes everything batched since the last drain as one append (group commit).
    func proposeBatch() {
        guard !batch.isEmpty else { return }
        guard node.role == .leader else {
            failBatchIfNotLeader()
            return
        }
        let items = batch
        batch.removeAll()
        do {
            let last = try node.propose(entries: items.map(\.data))
            let first = last - Index(items.count) + 1
            for (offset, item) in items.enumerated() {
                pendingWrites[first + Index(offset)] = PendingWrite(
                    token: item.token, term: node.term, continuation: item.continuation)
            }
        } catch {
            let failure: CaravanError =
                switch error {
                case .transferInProgress: .unavailable("leadership transfer in progress; retry shortly")
                default: notLeaderError()
                }
            for item in items { item.continuation.resume(throwing: failure) }
        }
    }

    func failBatchIfNotLeader() {
        guard !batch.isEmpty, node.role != .leader else { return }
        let error = notLeaderError()
        for item in batch { item.continuation.resume(throwing: error) }
        batch.removeAll()
    }

    /// A write still batched or unapplied after its deadline fails; an appended one may still apply later.
    func expireWrite(token: UInt64) {
        if let position = batch.firstIndex(where: { $0.token == token }) {
            batch.remove(at: position).continuation.resume(
                throwing: CaravanError(.deadlineExceeded, "timed out before the write was appended; it was not applied")
            )
            return
        }
        guard let match = pendingWrites.first(where: { $0.value.token == token })?.key,
            let write = pendingWrites.removeValue(forKey: match)
        else { return }
        write.continuation.resume(
            throwing: CaravanError(
                .deadlineExceeded,
                "timed out waiting for the write (log index \(match)) to commit; it may or may not be applied"))
    }

    /// Applies committed entries in order and answers the writes waiting for them.
    func apply(_ entries: [Entry]) {
        for entry in entries {
            let result: Caravan_V1_StateCommandResult
            switch entry.kind {
            case .normal(let data):
                result = stateMachine.apply(entryData: data, index: entry.index)
            case .noop, .configuration:
                stateMachine.markApplied(index: entry.index)
                result = .with { $0.ok = true }
            }
            guard let write = pendingWrites.removeValue(forKey: entry.index) else { continue }
            if write.term == entry.term {
                write.continuation.resume(returning: AppliedEntry(index: entry.index, result: result))
            } else {
                // Another leader's entry took this index: ours was overwritten and will never apply.
                write.continuation.resume(
                    throwing: CaravanError.unavailable(
                        "leadership changed before the write committed; it was not applied"))
            }
        }
    }
}
