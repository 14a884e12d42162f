/// The work a node hands to its driver, in this order: install `snapshot`, persist `entriesToPersist` and
/// `hardState`, send `messages`, apply `committedEntries`, serve `readStates`, then call `advance`.
public struct Ready: Sendable, Hashable {
    public var messages: [Message]
    /// A snapshot received from the leader: replace the state machine and drop the whole stored log.
    public var snapshot: SnapshotMetadata?
    /// Entries to write; any stored entry at or after the first one's index must be dropped first.
    public var entriesToPersist: [Entry]
    /// Set when the hard state changed since the last `advance`.
    public var hardState: HardState?
    /// Committed entries, in order, to apply to the state machine.
    public var committedEntries: [Entry]
    /// Linearizable reads that may proceed once the state machine has applied their index.
    public var readStates: [ReadState]

    public init(
        messages: [Message] = [], snapshot: SnapshotMetadata? = nil, entriesToPersist: [Entry] = [],
        hardState: HardState? = nil, committedEntries: [Entry] = [], readStates: [ReadState] = []
    ) {
        self.messages = messages
        self.snapshot = snapshot
        self.entriesToPersist = entriesToPersist
        self.hardState = hardState
        self.committedEntries = committedEntries
        self.readStates = readStates
    }

    public var isEmpty: Bool {
        messages.isEmpty && snapshot == nil && entriesToPersist.isEmpty && hardState == nil
            && committedEntries.isEmpty && readStates.isEmpty
    }
}
