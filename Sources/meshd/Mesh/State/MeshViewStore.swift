import CaravanProto
import Synchronization

/// The current `MeshView`, shared by meshd's APIs and its proxy push: readers take a copy, the follower replaces
/// it frame by frame and tells subscribers which keys changed.
public final class MeshViewStore: Sendable {
    /// One applied frame: the view after it and the dependency keys it changed.
    public struct Change: Sendable {
        public var view: MeshView
        public var keys: Set<String>
    }

    private struct Store {
        var view = MeshView()
        var subscribers: [UInt64: AsyncStream<Change>.Continuation] = [:]
        var waiters: [UInt64: (index: UInt64, continuation: CheckedContinuation<Void, Never>)] = [:]
        var nextID: UInt64 = 0
        /// Waits that timed out before their waiter registered: it must not register then.
        var ended: Set<UInt64> = []
    }

    private let store = Mutex(Store())

    public init() {}

    public var view: MeshView { store.withLock { $0.view } }

    /// Applies a frame and publishes what changed.
    public func apply(_ frame: Caravan_V1_MeshStateEvent) {
        let (change, subscribers, ready) = store.withLock {
            store -> (Change, [AsyncStream<Change>.Continuation], [CheckedContinuation<Void, Never>]) in
            let keys = store.view.apply(frame)
            let index = store.view.index
            var ready: [CheckedContinuation<Void, Never>] = []
            for (id, waiter) in store.waiters where waiter.index <= index {
                ready.append(waiter.continuation)
                store.waiters[id] = nil
            }
            return (Change(view: store.view, keys: keys), Array(store.subscribers.values), ready)
        }
        for continuation in ready { continuation.resume() }
        for subscriber in subscribers { subscriber.yield(change) }
    }

    /// Every change from now on, until the stream is dropped.
    public func subscribe() -> AsyncStream<Change> {
        let (stream, continuation) = AsyncStream.makeStream(of: Change.self, bufferingPolicy: .unbounded)
        let id = store.withLock { store -> UInt64 in
            store.nextID += 1
            store.subscribers[store.nextID] = continuation
            return store.nextID
        }
        continuation.onTermination = { [weak self] _ in
            self?.store.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Returns once the view reached `index` (a write meshd just made), or after `timeout`; true when reached.
    @discardableResult
    public func waitUntil(_ index: UInt64, timeout: Duration = .seconds(5)) async -> Bool {
        let id = store.withLock { store -> UInt64 in
            store.nextID += 1
            return store.nextID
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let now = self.store.withLock { store -> Bool in
                        if store.ended.remove(id) != nil { return true }
                        if store.view.index >= index && store.view.isReady { return true }
                        store.waiters[id] = (index, continuation)
                        return false
                    }
                    if now { continuation.resume() }
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                let waiter = self.store.withLock { store in
                    let waiter = store.waiters.removeValue(forKey: id)
                    if waiter == nil { store.ended.insert(id) }
                    return waiter
                }
                waiter?.continuation.resume()
            }
            await group.next()
            group.cancelAll()
        }
        return store.withLock { store in
            store.ended.remove(id)
            return store.view.index >= index
        }
    }
}
