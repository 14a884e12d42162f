import Raft
import Synchronization

/// The queue of messages waiting to go to one peer. Senders never block: when the peer is slow or down and
/// the queue is full, the oldest messages are dropped, which Raft tolerates (it retries by itself).
final class PeerMailbox: Sendable {
    private struct State {
        var queue: [Message] = []
        var waiter: CheckedContinuation<[Message]?, Never>?
        var closed = false
        var dropped = 0
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    func push(_ message: Message) {
        let waiter: CheckedContinuation<[Message]?, Never>? = state.withLock { state in
            guard !state.closed else { return nil }
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

    /// Drops everything queued, e.g. after reconnecting, when old heartbeats are worthless anyway.
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
