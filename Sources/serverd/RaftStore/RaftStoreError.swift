/// Why durable Raft storage failed; every message names the file involved so an operator can act on it.
public enum RaftStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stored data breaks an invariant (a gap in the log, a bad checksum, undecodable bytes).
    case corrupt(String)
    /// The file system has no room left for `path`; free space and restart.
    case diskFull(path: String)
    /// A system call on `path` failed.
    case io(path: String, operation: String, reason: String)
    /// SQLite reported an error for the database at `path`.
    case database(path: String, reason: String)
    /// A received snapshot's data does not match the hash its sender announced.
    case hashMismatch(path: String, expected: String, actual: String)
    /// The caller asked for something the store must refuse (entries that would leave a gap, a finished writer).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .corrupt(let reason):
            "corrupt Raft storage: \(reason)"
        case .diskFull(let path):
            "no space left on device while writing \(path)"
        case .io(let path, let operation, let reason):
            "\(operation) \(path) failed: \(reason)"
        case .database(let path, let reason):
            "database \(path): \(reason)"
        case .hashMismatch(let path, let expected, let actual):
            "snapshot data for \(path) has SHA-256 \(actual), expected \(expected)"
        case .invalidArgument(let reason):
            "invalid Raft storage request: \(reason)"
        }
    }
}
