import Raft
import Synchronization

/// The queue of messages waiting to go to one peer. Senders never block: when the queue is full the oldest
/// messages are dropped, and while the peer is unreachable nothing is queued at all, which Raft tolerates (it
/// retries by itself). Stale appends queued for a dead peer would otherwise pile up and arrive after it restarts.
final class PeerMailbox: Sendable {
    private struct State {
        var queue: [Message] = []
        var waiter: CheckedContinuation<[Message]?, Never>?
        var closed = false
        var connected = false
        var dropped = 0
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int = 1024) {
        self.capacity = capacity
    }

    func push(_ message: Message) {
        let waiter: CheckedContinuation<[Message]?, Never>? = state.withLock { state in
            guard !state.closed, state.connected else {
                state.dropped += 1
                return nil
            }
            if let waiter = state.waiter {
                state.waiter = nil
                _ = waiter
                return waiter
            }
            state.queue.append(message)
            if state.queue.count > capacity {
                state.queue.removeFirst(state.queue.count - capacity)
                state.dropped += 1
            }
            return nil
        }
        waiter?.resume(returning: [message])
    }

    /// Waits for messages and takes all of them; nil once closed.
    func take() async -> [Message]? {
        await withCheckedContinuation { continuation in
            let ready: [Message]?? = state.withLock { state in
                if state.closed { return .some(nil) }
                if !state.queue.isEmpty {
                    let batch = state.queue
                    state.queue.removeAll()
                    return .some(batch)
                }
                state.waiter = continuation
                return .none
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Whether a stream to the peer is open; while it is not, messages are dropped instead of queued.
    func setConnected(_ connected: Bool) {
        state.withLock { state in
            state.connected = connected
            if !connected { state.queue.removeAll() }
        }
    }

    /// Stops the mailbox for good: drops what is queued and ends `take()`.
    func close() {
        let waiter = state.withLock { state in
            state.closed = true
            state.queue.removeAll()
            let waiter = state.waiter
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: nil)
    }
}
