/// The in-memory replicated log: entries from index 1, the commit index, and how much of it is persisted.
public struct RaftLog: Sendable, Hashable {
    /// `entries[i]` has index `i + 1`.
    public private(set) var entries: [Entry]
    public private(set) var committed: Index
    /// The last index known to be on stable storage.
    public internal(set) var stableIndex: Index

    /// A log restored from storage; entries must be contiguous from index 1.
    public init(entries: [Entry] = [], committed: Index = 0) {
        var kept: [Entry] = []
        for entry in entries where entry.index == Index(kept.count) + 1 {
            kept.append(entry)
        }
        self.entries = kept
        self.committed = min(committed, Index(kept.count))
        self.stableIndex = Index(kept.count)
    }

    public var lastIndex: Index { Index(entries.count) }

    public var lastTerm: Term { entries.last?.term ?? 0 }

    /// The term at `index`: zero at index zero, nil beyond the end.
    public func term(at index: Index) -> Term? {
        if index == 0 { return 0 }
        guard index <= lastIndex else { return nil }
        return entries[Int(index - 1)].term
    }

    public func entry(at index: Index) -> Entry? {
        guard index >= 1, index <= lastIndex else { return nil }
        return entries[Int(index - 1)]
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

    /// The largest index at or below `index` whose term is at most `term`.
    public func lastIndex(atOrBelow index: Index, withTermAtMost term: Term) -> Index {
        var candidate = min(index, lastIndex)
        while candidate > 0, let found = self.term(at: candidate), found > term {
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

    /// Up to `maxCount` entries starting at `index`.
    public func entries(from index: Index, maxCount: Int) -> [Entry] {
        guard index >= 1, index <= lastIndex, maxCount > 0 else { return [] }
        let start = Int(index - 1)
        let end = min(entries.count, start + maxCount)
        return Array(entries[start..<end])
    }

    /// Entries not yet persisted.
    public var unstableEntries: [Entry] {
        entries(from: stableIndex + 1, maxCount: entries.count)
    }

    private mutating func truncate(after index: Index) {
        entries.removeSubrange(Int(index)...)
        stableIndex = min(stableIndex, index)
    }
}
