/// What a leader knows about one follower's log.
struct Progress: Sendable, Hashable {
    enum State: Sendable, Hashable {
        /// One append at a time until the match point is found.
        case probe
        /// Appends are streamed optimistically, up to the in-flight limit.
        case replicate
        /// A snapshot up to `pending` is on its way; nothing else is sent until it lands or fails.
        case snapshot(pending: Index)
    }

    var match: Index = 0
    var next: Index
    var state: State = .probe
    /// In probe state: an append was sent and no answer has come back yet.
    var probeSent = false
    /// Last index of each append in flight, oldest first.
    var inflight: [Index] = []
    /// Whether the follower answered since the last check-quorum round.
    var recentActive = false

    init(next: Index) {
        self.next = next
    }

    func isPaused(maxInflight: Int) -> Bool {
        switch state {
        case .probe: probeSent
        case .replicate: inflight.count >= maxInflight
        case .snapshot: true
        }
    }

    mutating func becomeProbe() {
        state = .probe
        probeSent = false
        inflight.removeAll()
        next = match + 1
    }

    mutating func becomeSnapshot(pending index: Index) {
        state = .snapshot(pending: index)
        probeSent = false
        inflight.removeAll()
    }

    mutating func becomeReplicate() {
        state = .replicate
        probeSent = false
        inflight.removeAll()
        next = match + 1
    }

    /// Records a successful append up to `index`; returns whether the match point moved.
    mutating func acknowledge(upTo index: Index) -> Bool {
        var updated = false
        if index > match {
            match = index
            updated = true
            probeSent = false
        }
        next = max(next, index + 1)
        inflight.removeAll { $0 <= index }
        return updated
    }

    /// Handles a rejection of the append after `rejected`; returns false when the rejection is stale.
    mutating func backOff(rejected: Index, hint: Index) -> Bool {
        switch state {
        case .replicate:
            guard rejected > match else { return false }
            becomeProbe()
            return true
        case .snapshot:
            return false
        case .probe:
            guard rejected == next - 1 else { return false }
            next = max(min(rejected, hint + 1), match + 1)
            probeSent = false
            return true
        }
    }
}
