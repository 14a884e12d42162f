import Raft

/// Everything a node persisted, as `RaftLogStore.load()` found it: what a restarting node is rebuilt from.
public struct PersistedRaftState: Sendable, Hashable {
    public var hardState: HardState
    /// The newest snapshot the log was compacted to or installed from, if any.
    public var snapshot: SnapshotMetadata?
    /// The stored entries after the snapshot index, ascending and contiguous.
    public var entries: [Entry]

    public init(hardState: HardState = HardState(), snapshot: SnapshotMetadata? = nil, entries: [Entry] = []) {
        self.hardState = hardState
        self.snapshot = snapshot
        self.entries = entries
    }

    /// The index of the last entry, or of the snapshot when no entry follows it.
    public var lastIndex: Index { entries.last?.index ?? snapshot?.index ?? 0 }
}
