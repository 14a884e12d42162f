/// Lowe's memo of search configurations already visited, so the search never explores one twice.
///
/// A configuration is the set of completed operations linearized so far, the set of pending (never-returned)
/// operations linearized so far, and the model state. Pending operations may also be left out of a linearization
/// altogether, so a configuration is subsumed by one with the same completed set and state that used a subset of
/// the pending ones: anything reachable from the former is reachable from the latter. Without this, every
/// subset of in-flight pending writes that were later overwritten would be explored separately.
struct SearchMemo<State: Hashable> {
    private struct Key: Hashable {
        var completed: Bitset
        var state: State
    }

    /// For each (completed set, state), the minimal pending sets seen with it.
    private var seen: [Key: [Bitset]] = [:]

    /// Records a configuration; false when it, or one that subsumes it, was recorded before.
    mutating func insert(completed: Bitset, pending: Bitset, state: State) -> Bool {
        func record(_ known: inout [Bitset]) -> Bool {
            if known.contains(where: { $0.isSubset(of: pending) }) { return false }
            known.removeAll { pending.isSubset(of: $0) }
            known.append(pending)
            return true
        }
        return record(&seen[Key(completed: completed, state: state), default: []])
    }
}
