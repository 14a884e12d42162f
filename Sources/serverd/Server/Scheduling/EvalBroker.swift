import CaravanProto
import Foundation

/// The leader's queue of evaluations waiting for a scheduler worker, as Nomad's eval broker.
///
/// Highest priority first (oldest first within a priority); at most one evaluation per job is out at a time, the
/// rest wait behind it so two workers never plan the same job at once. A dequeued evaluation must be acked
/// (done) or nacked (retry) before its lease runs out; after `deliveryLimit` failed deliveries it is given up
/// and reported through `onGiveUp`. Blocked evaluations (nothing fits now) wait, one per job, until capacity
/// changes. Evaluations with a `wait_until` (delayed reschedules) wait for their time. Only the leader's
/// broker is enabled; disabling drops everything, because the next leader rebuilds from the replicated state.
public actor EvalBroker {
    public struct Settings: Sendable {
        public var leaseTimeout: Duration = .seconds(60)
        public var deliveryLimit = 3
        public init() {}
    }

    /// An evaluation handed to a worker, with the token that proves the worker still holds it.
    public struct Delivery: Sendable {
        public var eval: Caravan_V1_Evaluation
        public var token: UInt64
    }

    private struct Outstanding {
        var eval: Caravan_V1_Evaluation
        var token: UInt64
        var lease: Task<Void, Never>
    }

    let settings: Settings
    let now: @Sendable () -> Date
    private let onGiveUp: @Sendable (Caravan_V1_Evaluation) -> Void
    private var enabled = false
    private var ready: [Caravan_V1_Evaluation] = []
    private var outstanding: [String: Outstanding] = [:]
    private var inFlightByJob: [String: String] = [:]
    private var waitingByJob: [String: [Caravan_V1_Evaluation]] = [:]
    /// Ids in `ready` or `waitingByJob`, so a duplicate is spotted without scanning the queues.
    private var queuedIDs: Set<String> = []
    private var blockedByJob: [String: Caravan_V1_Evaluation] = [:]
    /// The latest index at which capacity changed. A blocked evaluation planned on an older snapshot missed that
    /// change (a node registered while it was being planned), so it is retried at once: Nomad's missed unblock.
    private var capacityChangedAt: UInt64 = 0
    private var delayed: [String: Caravan_V1_Evaluation] = [:]
    private var delayTimer: Task<Void, Never>?
    private var deliveries: [String: Int] = [:]
    private var dequeuers: [CheckedContinuation<Delivery?, Never>] = []
    private var nextToken: UInt64 = 0

    public init(
        settings: Settings = Settings(), now: @escaping @Sendable () -> Date = { Date() },
        onGiveUp: @escaping @Sendable (Caravan_V1_Evaluation) -> Void
    ) {
        self.settings = settings
        self.now = now
        self.onGiveUp = onGiveUp
    }

    static func jobKey(_ eval: Caravan_V1_Evaluation) -> String { "\(eval.namespace)\u{0}\(eval.jobID)" }

    /// Turns the broker on (this server became leader) or off (it lost leadership: everything is dropped and
    /// waiting workers get nil).
    public func setEnabled(_ on: Bool) {
        enabled = on
        guard !on else { return }
        for item in outstanding.values { item.lease.cancel() }
        delayTimer?.cancel()
        ready.removeAll()
        outstanding.removeAll()
        inFlightByJob.removeAll()
        waitingByJob.removeAll()
        queuedIDs.removeAll()
        blockedByJob.removeAll()
        delayed.removeAll()
        deliveries.removeAll()
        let waiting = dequeuers
        dequeuers.removeAll()
        for dequeuer in waiting { dequeuer.resume(returning: nil) }
    }

    /// Takes an evaluation as stored. Pending ones queue (or wait for their time), blocked ones wait for
    /// capacity; terminal ones are ignored. Returns an older blocked evaluation of the same job that this one
    /// supersedes, which the caller should cancel.
    @discardableResult
    public func enqueue(_ eval: Caravan_V1_Evaluation) -> Caravan_V1_Evaluation? {
        guard enabled else { return nil }
        switch eval.status {
        case .blocked:
            let key = Self.jobKey(eval)
            let older = blockedByJob[key]
            if eval.snapshotIndex < capacityChangedAt {
                blockedByJob[key] = nil
                if !isKnown(eval.id) { makeReady(eval) }
            } else {
                blockedByJob[key] = eval
            }
            return older.flatMap { $0.id == eval.id ? nil : $0 }
        case .pending:
            guard !isKnown(eval.id) else { return nil }
            if eval.hasWaitUntil && eval.waitUntil.date > now() {
                delayed[eval.id] = eval
                scheduleDelayTimer()
                return nil
            }
            makeReady(eval)
            return nil
        default:
            return nil
        }
    }

    /// Moves every blocked evaluation back to the queue: capacity changed (at `index`), they may place now.
    public func unblockAll(capacityChangedAt index: UInt64 = 0) {
        capacityChangedAt = max(capacityChangedAt, index)
        guard enabled, !blockedByJob.isEmpty else { return }
        let blocked = blockedByJob.values.sorted { $0.createIndex < $1.createIndex }
        blockedByJob.removeAll()
        for eval in blocked where !isKnown(eval.id) { makeReady(eval) }
    }

    /// The next evaluation to schedule; waits while there is none. Nil once the broker is disabled.
    public func dequeue() async -> Delivery? {
        guard enabled else { return nil }
        if let delivery = takeReady() { return delivery }
        return await withCheckedContinuation { dequeuers.append($0) }
    }

    /// The worker finished the evaluation: the next one of its job may go.
    public func ack(evalID: String, token: UInt64) {
        guard let item = outstanding[evalID], item.token == token else { return }
        item.lease.cancel()
        outstanding[evalID] = nil
        deliveries[evalID] = nil
        release(job: Self.jobKey(item.eval))
    }

    /// The worker could not finish it: deliver it again, or give up after the delivery limit.
    public func nack(evalID: String, token: UInt64) {
        guard let item = outstanding[evalID], item.token == token else { return }
        item.lease.cancel()
        outstanding[evalID] = nil
        let count = (deliveries[evalID] ?? 0) + 1
        deliveries[evalID] = count
        let key = Self.jobKey(item.eval)
        inFlightByJob[key] = nil
        if count >= settings.deliveryLimit {
            deliveries[evalID] = nil
            onGiveUp(item.eval)
            release(job: key)
        } else {
            makeReady(item.eval)
        }
    }

    /// Counts for tests and `Agent.Metrics`.
    public var stats: (ready: Int, outstanding: Int, blocked: Int, delayed: Int, waiting: Int) {
        (
            ready.count, outstanding.count, blockedByJob.count, delayed.count,
            waitingByJob.values.map(\.count).reduce(0, +)
        )
    }

    // MARK: Internals

    private func isKnown(_ id: String) -> Bool {
        outstanding[id] != nil || delayed[id] != nil || queuedIDs.contains(id)
    }

    private func makeReady(_ eval: Caravan_V1_Evaluation) {
        queuedIDs.insert(eval.id)
        let key = Self.jobKey(eval)
        if let inFlight = inFlightByJob[key], inFlight != eval.id {
            waitingByJob[key, default: []].append(eval)
            return
        }
        inFlightByJob[key] = eval.id
        let position = ready.firstIndex { Self.runsBefore(eval, $0) } ?? ready.endIndex
        ready.insert(eval, at: position)
        serveDequeuers()
    }

    /// Higher priority first, then older first.
    static func runsBefore(_ lhs: Caravan_V1_Evaluation, _ rhs: Caravan_V1_Evaluation) -> Bool {
        if lhs.priority != rhs.priority { return lhs.priority > rhs.priority }
        return lhs.createIndex < rhs.createIndex
    }

    private func release(job key: String) {
        inFlightByJob[key] = nil
        guard var waiting = waitingByJob[key], !waiting.isEmpty else { return }
        waiting.sort { $0.createIndex < $1.createIndex }
        let next = waiting.removeFirst()
        waitingByJob[key] = waiting.isEmpty ? nil : waiting
        makeReady(next)
    }

    private func takeReady() -> Delivery? {
        guard !ready.isEmpty else { return nil }
        let eval = ready.removeFirst()
        queuedIDs.remove(eval.id)
        nextToken += 1
        let token = nextToken
        let timeout = settings.leaseTimeout
        let lease = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled else { return }
            await self?.nack(evalID: eval.id, token: token)
        }
        outstanding[eval.id] = Outstanding(eval: eval, token: token, lease: lease)
        return Delivery(eval: eval, token: token)
    }

    private func serveDequeuers() {
        while !dequeuers.isEmpty, let delivery = takeReady() {
            dequeuers.removeFirst().resume(returning: delivery)
        }
    }

    private func scheduleDelayTimer() {
        delayTimer?.cancel()
        guard let next = delayed.values.map(\.waitUntil.date).min() else { return }
        let wait = max(0, next.timeIntervalSince(now()))
        delayTimer = Task { [weak self] in
            try? await Task.sleep(for: .milliseconds(Int(wait * 1000) + 1))
            guard !Task.isCancelled else { return }
            await self?.releaseDueEvals()
        }
    }

    private func releaseDueEvals() {
        let current = now()
        let due = delayed.values.filter { $0.waitUntil.date <= current }.sorted { $0.createIndex < $1.createIndex }
        for eval in due {
            delayed[eval.id] = nil
            makeReady(eval)
        }
        scheduleDelayTimer()
    }
}
