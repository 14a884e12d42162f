import CaravanRPC
import Raft

extension RaftDriver {
    /// Waits until this server's state machine holds every write committed before the call began, so a read
    /// that follows is linearizable (ReadIndex: the leader confirms its leadership with a quorum).
    /// Returns the applied index the read reflects.
    public func readBarrier() async throws -> UInt64 {
        try checkAvailable()
        var context: UInt64 = 0
        while context == 0 || pendingReads[context] != nil { context = random.next() }
        guard node.readIndex(context: context) else { throw CaravanError.unavailable("no cluster leader") }
        kick()
        let deadline = settings.requestTimeout
        let readContext = context
        let index: Index = try await withCheckedThrowingContinuation { continuation in
            pendingReads[readContext] = continuation
            Task { [weak self] in
                try? await Task.sleep(for: deadline)
                await self?.expireRead(readContext)
            }
        }
        try await waitUntilApplied(index)
        return max(index, node.applied)
    }

    func expireRead(_ context: UInt64) {
        pendingReads.removeValue(forKey: context)?.resume(
            throwing: CaravanError(.deadlineExceeded, "timed out confirming leadership for a consistent read"))
    }

    /// Waits until the state machine has applied `index`.
    public func waitUntilApplied(_ index: UInt64) async throws {
        guard node.applied < index else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            applyWaiters.append((index, continuation))
        }
    }

    func releaseApplyWaiters() {
        guard !applyWaiters.isEmpty else { return }
        let applied = node.applied
        var remaining: [(index: Index, continuation: CheckedContinuation<Void, any Error>)] = []
        for waiter in applyWaiters {
            if waiter.index <= applied {
                waiter.continuation.resume()
            } else {
                remaining.append(waiter)
            }
        }
        applyWaiters = remaining
    }

    /// Whether this server knows a leader (for `QueryMeta.known_leader`).
    public var hasLeader: Bool { node.leader != nil }

    /// Runs `body` against the state machine right now, on the consensus actor.
    public func withStateMachine<T: Sendable>(_ body: @Sendable (any ConsensusStateMachine) throws -> T) rethrows -> T {
        try body(stateMachine)
    }
}
