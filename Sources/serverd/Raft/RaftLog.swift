/// The in-memory replicated log: the entries after the compaction point, the commit index, and how much of it
/// is persisted.
///
/// Entries up to `compactedIndex` live only in a snapshot; `compactedTerm` is kept so the entry just before
/// the first one can still be matched.
public struct RaftLog: Sendable, Hashable {
    /// `entries[i]` has index `compactedIndex + i + 1`.
    public private(set) var entries: [Entry]
    public private(set) var compactedIndex: Index
    public private(set) var compactedTerm: Term
    public private(set) var committed: Index
    /// The last index known to be on stable storage.
    public internal(set) var stableIndex: Index

    /// A log restored from storage; entries must be contiguous from `compactedIndex + 1`, others are dropped.
    public init(entries: [Entry] = [], committed: Index = 0, compactedIndex: Index = 0, compactedTerm: Term = 0) {
        var kept: [Entry] = []
        for entry in entries where entry.index == compactedIndex + Index(kept.count) + 1 {
            kept.append(entry)
        }
        self.entries = kept
        self.compactedIndex = compactedIndex
        self.compactedTerm = compactedTerm
        self.committed = min(max(committed, compactedIndex), compactedIndex + Index(kept.count))
        self.stableIndex = compactedIndex + Index(kept.count)
    }

    public var firstIndex: Index { compactedIndex + 1 }

    public var lastIndex: Index { compactedIndex + Index(entries.count) }

    public var lastTerm: Term { entries.last?.term ?? compactedTerm }

    /// The term at `index`: zero at index zero of an uncompacted log, nil beyond the end or before the
    /// compaction point.
    public func term(at index: Index) -> Term? {
        if index == compactedIndex { return compactedTerm }
        guard index > compactedIndex, index <= lastIndex else { return nil }
        return entries[position(of: index)].term
    }

    public func entry(at index: Index) -> Entry? {
        guard index > compactedIndex, index <= lastIndex else { return nil }
        return entries[position(of: index)]
    }

    public func matches(index: Index, term: Term) -> Bool {
        self.term(at: index) == term
    }

    /// Whether a candidate whose log ends at (`lastIndex`, `lastTerm`) is at least as up to date as this log.
    public func isUpToDate(lastIndex: Index, lastTerm: Term) -> Bool {
        lastTerm > self.lastTerm || (lastTerm == self.lastTerm && lastIndex >= self.lastIndex)
    }

    /// The index of the first given entry that is absent or has a different term here, if any.
    public func firstConflict(in newEntries: [Entry]) -> Index? {
        for entry in newEntries where !matches(index: entry.index, term: entry.term) {
            return entry.index
        }
        return nil
    }

    /// The largest index at or below `index` whose term is at most `term` (never below the compaction point).
    public func lastIndex(atOrBelow index: Index, withTermAtMost term: Term) -> Index {
        var candidate = min(index, lastIndex)
        while candidate > compactedIndex, let found = self.term(at: candidate), found > term {
            candidate -= 1
        }
        return candidate
    }

    /// Appends entries that follow (`prevIndex`, `prevTerm`), dropping a conflicting suffix.
    /// Returns the last index now known to match the sender, or nil when the logs do not match at `prevIndex`.
    public mutating func append(after prevIndex: Index, prevTerm: Term, entries newEntries: [Entry]) -> Index? {
        guard matches(index: prevIndex, term: prevTerm) else { return nil }
        var expected = prevIndex
        for entry in newEntries {
            expected += 1
            guard entry.index == expected else { return nil }
        }
        let lastNew = prevIndex + Index(newEntries.count)
        guard let conflict = firstConflict(in: newEntries) else { return lastNew }
        guard conflict > committed else { return nil }
        truncate(after: conflict - 1)
        entries.append(contentsOf: newEntries[Int(conflict - prevIndex - 1)...])
        return lastNew
    }

    /// Appends entries at the end of the log, as a leader does; entries that do not follow on are ignored.
    public mutating func append(_ newEntries: [Entry]) {
        for entry in newEntries where entry.index == lastIndex + 1 {
            entries.append(entry)
        }
    }

    /// Moves the commit index forward; it never moves back nor past the end of the log.
    public mutating func commit(to index: Index) {
        committed = max(committed, min(index, lastIndex))
    }

    /// Commits `index` only if its entry belongs to `term` (the rule of Raft's figure 8).
    @discardableResult
    public mutating func maybeCommit(to index: Index, term: Term) -> Bool {
        guard index > committed, self.term(at: index) == term else { return false }
        commit(to: index)
        return true
    }

    /// Up to `maxCount` entries starting at `index`; empty when `index` was compacted away or is past the end.
    public func entries(from index: Index, maxCount: Int) -> [Entry] {
        guard index > compactedIndex, index <= lastIndex, maxCount > 0 else { return [] }
        let start = position(of: index)
        let end = min(entries.count, start + maxCount)
        return Array(entries[start..<end])
    }

    /// Entries not yet persisted.
    public var unstableEntries: [Entry] {
        entries(from: stableIndex + 1, maxCount: entries.count)
    }

    /// Forgets entries up to `index`, which a snapshot now covers; only committed, stable entries go.
    mutating func compact(through index: Index) {
        let target = min(index, committed, stableIndex)
        guard target > compactedIndex, let term = term(at: target) else { return }
        entries.removeFirst(Int(target - compactedIndex))
        compactedIndex = target
        compactedTerm = term
    }

    /// Replaces the whole log by a snapshot's end point: everything up to it is committed.
    mutating func restore(index: Index, term: Term) {
        entries = []
        compactedIndex = index
        compactedTerm = term
        committed = index
        stableIndex = index
    }

    private func position(of index: Index) -> Int {
        Int(index - compactedIndex - 1)
    }

    private mutating func truncate(after index: Index) {
        entries.removeSubrange(position(of: index + 1)...)
        stableIndex = min(stableIndex, index)
    }
}
