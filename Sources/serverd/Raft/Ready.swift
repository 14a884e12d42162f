/// The work a node hands to its driver: persist, then send, then apply, then call `advance`.
public struct Ready: Sendable, Hashable {
    public var messages: [Message]
    /// Entries to write; any stored entry at or after the first one's index must be dropped first.
    public var entriesToPersist: [Entry]
    /// Set when the hard state changed since the last `advance`.
    public var hardState: HardState?
    /// Committed entries, in order, to apply to the state machine.
    public var committedEntries: [Entry]

    public var isEmpty: Bool {
        messages.isEmpty && entriesToPersist.isEmpty && hardState == nil && committedEntries.isEmpty
    }
}
