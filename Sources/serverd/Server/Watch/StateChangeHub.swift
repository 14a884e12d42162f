import State
import Synchronization

/// Fans each applied entry's `StateChange` out to blocking queries and to subscribers (the leader's duties,
/// node allocation watches), so consumers are pushed changes instead of polling.
///
/// `publish` runs on the Raft driver's apply path: it only records the indexes and resumes waiters.
public final class StateChangeHub: Sendable {
    private struct Waiter {
        var tables: Set<StateTable>
        var after: UInt64
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct Hub {
        var tableIndexes: [StateTable: UInt64] = [:]
        var waiters: [UInt64: Waiter] = [:]
        var subscribers: [UInt64: AsyncStream<StateChange>.Continuation] = [:]
        var nextID: UInt64 = 0
        /// Waits that ended (timeout) before their waiter registered: it must not register then.
        var ended: Set<UInt64> = []
    }

    private let hub = Mutex(Hub())

    public init() {}

    /// Records a change and wakes whoever waits on one of its tables.
    public func publish(_ change: StateChange) {
        let (ready, subscribers) = hub.withLock {
            hub -> ([CheckedContinuation<Void, Never>], [AsyncStream<StateChange>.Continuation]) in
            for table in change.tables { hub.tableIndexes[table] = max(hub.tableIndexes[table] ?? 0, change.index) }
            var ready: [CheckedContinuation<Void, Never>] = []
            for (id, waiter) in hub.waiters
            where !waiter.tables.isDisjoint(with: change.tables) && change.index > waiter.after {
                ready.append(waiter.continuation)
                hub.waiters[id] = nil
            }
            return (ready, Array(hub.subscribers.values))
        }
        for continuation in ready { continuation.resume() }
        for subscriber in subscribers { subscriber.yield(change) }
    }

    /// Every change from now on, until the returned stream is dropped.
    public func subscribe() -> AsyncStream<StateChange> {
        let (stream, continuation) = AsyncStream.makeStream(of: StateChange.self)
        let id = hub.withLock { hub -> UInt64 in
            hub.nextID += 1
            hub.subscribers[hub.nextID] = continuation
            return hub.nextID
        }
        continuation.onTermination = { [weak self] _ in
            self?.hub.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Returns once one of `tables` changed at an index above `index`, or when `timeout` passed (a blocking
    /// query's `max_wait`), or the task is cancelled.
    public func waitForChange(of tables: Set<StateTable>, after index: UInt64, timeout: Duration) async {
        let id = hub.withLock { hub -> UInt64 in
            hub.nextID += 1
            return hub.nextID
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let resumeNow = self.hub.withLock { hub -> Bool in
                        if hub.ended.remove(id) != nil { return true }
                        if tables.contains(where: { (hub.tableIndexes[$0] ?? 0) > index }) { return true }
                        hub.waiters[id] = Waiter(tables: tables, after: index, continuation: continuation)
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                self.cancelWaiter(id)
            }
            await group.next()
            group.cancelAll()
            self.cancelWaiter(id)
        }
        hub.withLock { _ = $0.ended.remove(id) }
    }

    /// Ends a wait: resumes its waiter, or marks it so a late registration returns at once.
    private func cancelWaiter(_ id: UInt64) {
        let waiter = hub.withLock { hub -> Waiter? in
            if let waiter = hub.waiters.removeValue(forKey: id) { return waiter }
            hub.ended.insert(id)
            return nil
        }
        waiter?.continuation.resume()
    }
}
