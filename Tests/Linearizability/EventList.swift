/// The call and return events of one partition in time order, as an array-backed doubly linked list.
///
/// Wing & Gong's search "lifts" an operation (unlinks its call and its return) when it linearizes it and
/// "unlifts" it when it backtracks. Unlinked nodes keep their own links, so putting them back in reverse order
/// restores the list exactly, in O(1) (Knuth's dancing links).
struct EventList {
    /// The sentinel before the first event.
    static let head = 0
    /// The sentinel after the last event.
    let tail: Int
    private(set) var next: [Int]
    private(set) var previous: [Int]
    /// The operation each event node belongs to (meaningless for the sentinels).
    let operation: [Int]
    /// Whether a node is a call; returns and sentinels are not.
    let isCall: [Bool]
    /// For a call node, the node of its return.
    private let returnNode: [Int]

    /// Orders events by time. Pending operations return after everything else. At equal times calls come
    /// first, so operations stamped with the same time count as concurrent, which can only accept more.
    init(invokeTimes: [UInt64], returnTimes: [UInt64?]) {
        struct Event {
            var pending: Bool
            var time: UInt64
            var isCall: Bool
            var operation: Int
        }
        var events: [Event] = []
        events.reserveCapacity(invokeTimes.count * 2)
        for (index, invoked) in invokeTimes.enumerated() {
            events.append(Event(pending: false, time: invoked, isCall: true, operation: index))
            let returned = returnTimes[index]
            events.append(Event(pending: returned == nil, time: returned ?? 0, isCall: false, operation: index))
        }
        events.sort { lhs, rhs in
            if lhs.pending != rhs.pending { return !lhs.pending }
            if lhs.time != rhs.time { return lhs.time < rhs.time }
            if lhs.isCall != rhs.isCall { return lhs.isCall }
            return lhs.operation < rhs.operation
        }

        let nodeCount = events.count + 2
        tail = nodeCount - 1
        next = (0..<nodeCount).map { min($0 + 1, nodeCount - 1) }
        previous = (0..<nodeCount).map { max($0 - 1, 0) }
        var operation = Array(repeating: -1, count: nodeCount)
        var isCall = Array(repeating: false, count: nodeCount)
        var callNode = Array(repeating: 0, count: invokeTimes.count)
        var returnOf = Array(repeating: 0, count: invokeTimes.count)
        for (offset, event) in events.enumerated() {
            let node = offset + 1
            operation[node] = event.operation
            isCall[node] = event.isCall
            if event.isCall {
                callNode[event.operation] = node
            } else {
                returnOf[event.operation] = node
            }
        }
        var returnNode = Array(repeating: 0, count: nodeCount)
        for (op, node) in callNode.enumerated() {
            returnNode[node] = returnOf[op]
        }
        self.operation = operation
        self.isCall = isCall
        self.returnNode = returnNode
    }

    /// The first event still linked, or `tail`.
    var first: Int { next[Self.head] }

    /// Unlinks a call and its return.
    mutating func lift(_ call: Int) {
        unlink(call)
        unlink(returnNode[call])
    }

    /// Relinks a call and its return; calls must be unlifted in the reverse order they were lifted.
    mutating func unlift(_ call: Int) {
        relink(returnNode[call])
        relink(call)
    }

    private mutating func unlink(_ node: Int) {
        next[previous[node]] = next[node]
        previous[next[node]] = previous[node]
    }

    private mutating func relink(_ node: Int) {
        next[previous[node]] = node
        previous[next[node]] = node
    }
}
