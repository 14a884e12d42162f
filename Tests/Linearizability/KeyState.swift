/// What a history has revealed about one key.
///
/// Versions are facts observed in outputs, never predicted. A write whose outcome was unknown leaves a value
/// whose version is only bounded below; a later read or cas binds it.
public enum KeyState<Value: Hashable>: Hashable {
    /// The key does not exist; its next write has a version of at least `nextVersionAtLeast`.
    case absent(nextVersionAtLeast: UInt64)
    /// The key holds `value` at exactly `version`.
    case present(Value, version: UInt64)
    /// The key holds `value` at some version not yet observed, at least `versionAtLeast`.
    case unversioned(Value, versionAtLeast: UInt64)

    /// A lower bound on the version of the key's next modification.
    ///
    /// After an unknown write it is `least`, not the precise `least + 1`: a run of unknown writes then leaves the
    /// same state as its last write alone, which lets the search prune the run. A weaker bound can only accept
    /// more histories, never reject a valid one.
    var nextVersionAtLeast: UInt64 {
        switch self {
        case .absent(let next): next
        case .present(_, let version): version + 1
        case .unversioned(_, let least): least
        }
    }

    /// Whether a cas expecting `expected` succeeds here: `true`, `false`, or `nil` when it depends on a version
    /// the history has not revealed.
    func matches(expectedVersion expected: UInt64) -> Bool? {
        switch self {
        case .absent: expected == 0
        case .present(_, let version): version == expected
        case .unversioned(_, let least): expected >= least ? nil : false
        }
    }
}
