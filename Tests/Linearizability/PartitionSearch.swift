/// Wing & Gong's depth-first search for a linearization of one partition, pruned by a `SearchMemo`.
///
/// The search walks the completed operations' events from the head: each call it meets may be linearized next
/// (if the model accepts its output); meeting a return means that operation was not linearized in time. Only
/// then are pending (never-returned) operations tried, those that let the stuck operation proceed first, and
/// after that the search backtracks. Trying pending operations last and only where needed keeps the many
/// pending writes of a faulty run from multiplying the work.
struct PartitionSearch<Model: LinearizabilityModel> {
    enum Outcome {
        case linearizable
        case notLinearizable(LinearizabilityFailure)
        case budgetExhausted
    }

    /// Where the scan for the next operation to linearize stands, so backtracking can resume it.
    private enum Cursor {
        /// At `node` in the list of completed operations' events.
        case completed(node: Int)
        /// At `queue[index]` among the pending calls tried because the return at `blockedAt` came first.
        case pending(queue: [Int], index: Int, blockedAt: Int)
    }

    /// One linearized operation on the search stack, with what is needed to undo it or try its next outcome.
    private struct Frame {
        var call: Int
        var stateBefore: Model.State
        var successors: [Model.State]
        var nextSuccessor: Int
        var cursor: Cursor
    }

    private let model: Model
    private let partition: HistoryPartition<Model.Input, Model.Output>
    private let inputs: [Model.Input]
    private let outputs: [Model.Output]
    private let isPending: [Bool]
    /// Each operation's bit: completed and pending operations are numbered separately, one bitset each.
    private let slot: [Int]
    private let completedCount: Int
    /// Call nodes of the pending operations in time order; they are kept out of `list`.
    private let pendingCalls: [Int]
    /// Whether a pending operation may directly follow another. Without, the search is much cheaper when many
    /// operations are pending but incomplete: it can find a linearization, not prove there is none.
    private let chainsPending: Bool
    /// Whether the search left out a chain of pending operations, so a failure is not conclusive.
    private(set) var leftOutChains = false

    private var list: EventList
    private var completed: Bitset
    private var pending: Bitset
    private var memo = SearchMemo<Model.State>()
    private var state: Model.State
    private var stack: [Frame] = []
    /// Explains the dead end reached with the longest linearized prefix so far.
    private var deepest: LinearizabilityFailure?

    init(model: Model, partition: HistoryPartition<Model.Input, Model.Output>, chainsPending: Bool = true) {
        let ops = partition.operations
        self.chainsPending = chainsPending
        self.model = model
        self.partition = partition
        inputs = ops.map(\.input)
        outputs = ops.map(\.output)
        isPending = ops.map(\.isPending)
        var slot: [Int] = []
        var counts = (completed: 0, pending: 0)
        for op in ops {
            if op.isPending {
                slot.append(counts.pending)
                counts.pending += 1
            } else {
                slot.append(counts.completed)
                counts.completed += 1
            }
        }
        self.slot = slot
        completedCount = counts.completed
        var list = EventList(invokeTimes: ops.map(\.invokeTime), returnTimes: ops.map(\.returnTime))
        let pendingCalls = (1..<list.tail).filter { list.isCall[$0] && ops[list.operation[$0]].isPending }
        for call in pendingCalls { list.lift(call) }
        self.list = list
        self.pendingCalls = pendingCalls
        completed = Bitset(capacity: counts.completed)
        pending = Bitset(capacity: counts.pending)
        state = model.initial()
    }

    mutating func run(meter: inout BudgetMeter) -> Outcome {
        _ = memo.insert(completed: completed, pending: pending, state: state)
        var cursor = Cursor.completed(node: list.first)
        while completed.count < completedCount {
            guard meter.spend() else { return .budgetExhausted }
            let blockedAt: Int
            switch cursor {
            case .completed(let node) where list.isCall[node]:
                cursor = lift(node, from: cursor) ? .completed(node: list.first) : .completed(node: list.next[node])
                continue
            case .completed(let node) where !pendingCalls.isEmpty:
                if chainsPending || !afterPending {
                    cursor = .pending(queue: pendingQueue(blockedAt: node), index: 0, blockedAt: node)
                    continue
                }
                leftOutChains = true
                blockedAt = node
            case .completed(let node):
                blockedAt = node
            case .pending(let queue, let index, let blocked) where index < queue.count:
                let lifted = lift(queue[index], from: cursor)
                cursor =
                    lifted ? .completed(node: list.first) : .pending(queue: queue, index: index + 1, blockedAt: blocked)
                continue
            case .pending(_, _, let blocked):
                blockedAt = blocked
            }

            // The operation returning at `blockedAt` cannot be linearized after this prefix.
            if completed.count > (deepest?.longestPrefix ?? -1) {
                deepest = explain(blockedAt: blockedAt)
            }
            guard let resume = backtrack() else {
                return .notLinearizable(deepest ?? explain(blockedAt: blockedAt))
            }
            cursor = resume
        }
        return .linearizable
    }

    /// Whether the operation linearized last is a pending one.
    private var afterPending: Bool {
        stack.last.map { isPending[list.operation[$0.call]] } ?? false
    }

    /// Linearizes the call at `node` next if that reaches an unvisited configuration.
    private mutating func lift(_ node: Int, from cursor: Cursor) -> Bool {
        let op = list.operation[node]
        var successors = model.step(state, inputs[op], outputs[op])
        if afterPending, let previous = stack.last {
            successors.removeAll { needlessAfterPending(previous, op: op, reaching: $0) }
        }
        mark(op)
        guard let index = firstNew(successors, from: 0) else {
            unmark(op)
            return false
        }
        stack.append(
            Frame(call: node, stateBefore: state, successors: successors, nextSuccessor: index + 1, cursor: cursor))
        state = successors[index]
        if !isPending[op] { list.lift(node) }
        return true
    }

    /// Whether linearizing `op` right after the pending operation of `previous`, reaching `target`, can be skipped
    /// because another branch reaches the same configuration with no more pending operations used: `op` alone
    /// (the pending one was pointless), or, for a completed `op`, `op` first and the pending one after it (they
    /// commute). Two pending operations that commute must not each defer to the other, hence the restriction.
    ///
    /// So a pending operation is only placed just before an operation that depends on it, which keeps the many
    /// pending operations of a faulty run from multiplying the search.
    private func needlessAfterPending(_ previous: Frame, op: Int, reaching target: Model.State) -> Bool {
        let pendingOp = list.operation[previous.call]
        for alone in model.step(previous.stateBefore, inputs[op], outputs[op]) {
            if alone == target { return true }
            if !isPending[op] && model.step(alone, inputs[pendingOp], outputs[pendingOp]).contains(target) {
                return true
            }
        }
        return false
    }

    /// Tries the top operation's next outcome, or undoes it; returns where to resume, or nil when exhausted.
    private mutating func backtrack() -> Cursor? {
        guard var frame = stack.popLast() else { return nil }
        if let index = firstNew(frame.successors, from: frame.nextSuccessor) {
            frame.nextSuccessor = index + 1
            state = frame.successors[index]
            stack.append(frame)
            return .completed(node: list.first)
        }
        let op = list.operation[frame.call]
        unmark(op)
        if !isPending[op] { list.unlift(frame.call) }
        state = frame.stateBefore
        switch frame.cursor {
        case .completed(let node):
            return .completed(node: list.next[node])
        case .pending(let queue, let index, let blockedAt):
            return .pending(queue: queue, index: index + 1, blockedAt: blockedAt)
        }
    }

    /// The first successor from `start` on that reaches an unvisited configuration; the op must be marked.
    private mutating func firstNew(_ successors: [Model.State], from start: Int) -> Int? {
        var index = start
        while index < successors.count {
            if memo.insert(completed: completed, pending: pending, state: successors[index]) { return index }
            index += 1
        }
        return nil
    }

    /// Pending calls invoked before the return at `blockedAt` and not yet linearized. Those after which the
    /// blocked operation fits come first (usually one is the lost write a read observed), except right after
    /// another pending operation, where the extra model steps rarely pay off.
    private func pendingQueue(blockedAt returnNode: Int) -> [Int] {
        let blocked = list.operation[returnNode]
        let chained = afterPending
        var helpful: [Int] = []
        var others: [Int] = []
        for call in pendingCalls {
            guard call < returnNode else { break }
            let op = list.operation[call]
            if pending.contains(slot[op]) { continue }
            let enables =
                !chained
                && model.step(state, inputs[op], outputs[op]).contains { after in
                    !model.step(after, inputs[blocked], outputs[blocked]).isEmpty
                }
            if enables { helpful.append(call) } else { others.append(call) }
        }
        return helpful + others
    }

    private mutating func mark(_ op: Int) {
        if isPending[op] { pending.insert(slot[op]) } else { completed.insert(slot[op]) }
    }

    private mutating func unmark(_ op: Int) {
        if isPending[op] { pending.remove(slot[op]) } else { completed.remove(slot[op]) }
    }

    private func explain(blockedAt returnNode: Int) -> LinearizabilityFailure {
        let ops = partition.operations
        let blocked = list.operation[returnNode]
        var inFlight: [Int] = []
        var node = list.first
        while node != returnNode && node != list.tail {
            if list.isCall[node] && list.operation[node] != blocked { inFlight.append(list.operation[node]) }
            node = list.next[node]
        }
        for call in pendingCalls where call < returnNode && !pending.contains(slot[list.operation[call]]) {
            inFlight.append(list.operation[call])
        }
        return LinearizabilityFailure(
            partition: partition.label,
            operationCount: completedCount,
            longestPrefix: completed.count,
            lastLinearized: stack.suffix(4).map { describe(ops[list.operation[$0.call]]) },
            state: model.describe(state),
            blocked: blocked >= 0 ? describe(ops[blocked]) : "(none)",
            inFlight: inFlight.prefix(8).map { describe(ops[$0]) })
    }

    private func describe(_ op: RecordedOperation<Model.Input, Model.Output>) -> String {
        let interval = "[\(op.invokeTime), " + (op.returnTime.map { "\($0)]" } ?? "∞)")
        return "client \(op.clientID) \(interval) \(model.describe(op.input, op.output))"
    }
}
