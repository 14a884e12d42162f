/// A request a client sends to the replicated key/value store (Caravan variables).
public enum KeyValueInput<Key: Hashable, Value: Hashable>: Hashable {
    case put(Key, Value)
    case get(Key)
    /// Writes only if the key's version equals `expectedVersion`; 0 means "only if the key does not exist".
    case cas(Key, expectedVersion: UInt64, Value)
    case delete(Key)

    public var key: Key {
        switch self {
        case .put(let key, _), .get(let key), .cas(let key, _, _), .delete(let key): key
        }
    }
}

extension KeyValueInput: Sendable where Key: Sendable, Value: Sendable {}

/// What the store answered.
///
/// Versions are Raft modify indexes: strictly increasing per key but not consecutive.
public enum KeyValueOutput<Value: Hashable>: Hashable {
    /// A put or cas took effect at this version.
    case ok(version: UInt64)
    /// A delete took effect.
    case deleted
    /// A get saw this value at this version.
    case found(Value, version: UInt64)
    /// A get saw no value.
    case notFound
    /// The write definitely did not take effect.
    case failed
    /// A cas did not take effect because the version did not match.
    case conflict
    /// No answer (timeout, lost connection): the operation may or may not have taken effect.
    case unknown
}

extension KeyValueOutput: Sendable where Value: Sendable {}
