/// Why bytes could not be decoded into a Raft value; the description names the value and the byte offset.
public enum RaftCodecError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The bytes ended while `subject` still needed more, at byte `offset`.
    case truncated(subject: String, offset: Int)
    /// The leading version byte is one this build does not know.
    case unsupportedVersion(subject: String, version: UInt8)
    /// A field was present but not acceptable.
    case malformed(subject: String, offset: Int, reason: String)
    /// Bytes remained after a complete value.
    case trailingBytes(subject: String, offset: Int, count: Int)
    /// An entry type byte outside the known set.
    case unknownEntryType(UInt8)

    public var description: String {
        switch self {
        case .truncated(let subject, let offset):
            "\(subject): truncated at byte \(offset)"
        case .unsupportedVersion(let subject, let version):
            "\(subject): unsupported encoding version \(version)"
        case .malformed(let subject, let offset, let reason):
            "\(subject): \(reason) at byte \(offset)"
        case .trailingBytes(let subject, let offset, let count):
            "\(subject): \(count) unexpected trailing byte\(count == 1 ? "" : "s") at byte \(offset)"
        case .unknownEntryType(let type):
            "unknown entry type \(type)"
        }
    }
}
