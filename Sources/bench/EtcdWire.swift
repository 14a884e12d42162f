import GRPCCore

/// The two etcd v3 gRPC calls the benchmark makes, with their messages encoded by hand.
///
/// `bench raft -etcd` must not need etcd's .proto files or generated code for one write and one status call,
/// and it should reach etcd through the same gRPC client stack as Caravan, so the messages are written in the
/// protobuf wire format directly: `PutRequest{key=1, value=2}` out, and from `StatusResponse` only
/// `header(1).member_id(2)` and `leader(4)` in.
enum EtcdWire {
    static let put = MethodDescriptor(fullyQualifiedService: "etcdserverpb.KV", method: "Put")
    static let status = MethodDescriptor(fullyQualifiedService: "etcdserverpb.Maintenance", method: "Status")

    /// `etcdserverpb.PutRequest` with a key and a value.
    static func putRequest(key: String, value: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(key.utf8.count + value.utf8.count + 12)
        appendBytesField(1, Array(key.utf8), to: &bytes)
        appendBytesField(2, Array(value.utf8), to: &bytes)
        return bytes
    }

    /// What the benchmark reads from `etcdserverpb.StatusResponse`: who answered and who leads (0: nobody).
    struct Status: Sendable, Equatable {
        var memberID: UInt64 = 0
        var leader: UInt64 = 0
    }

    static func decodeStatus(_ bytes: [UInt8]) throws -> Status {
        var status = Status()
        try forEachField(in: bytes[...]) { field, value in
            switch (field, value) {
            case (1, .bytes(let header)):
                try forEachField(in: header) { headerField, headerValue in
                    if headerField == 2, case .varint(let id) = headerValue { status.memberID = id }
                }
            case (4, .varint(let leader)):
                status.leader = leader
            default:
                break
            }
        }
        return status
    }

    enum FieldValue {
        case varint(UInt64)
        case bytes(ArraySlice<UInt8>)
        case fixed
    }

    static func appendBytesField(_ field: UInt64, _ value: [UInt8], to bytes: inout [UInt8]) {
        appendVarint(field << 3 | 2, to: &bytes)
        appendVarint(UInt64(value.count), to: &bytes)
        bytes += value
    }

    static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Calls `visit` with each top-level field of a message; fixed-width fields are skipped unread.
    static func forEachField(
        in bytes: ArraySlice<UInt8>,
        _ visit: (UInt64, FieldValue) throws -> Void
    ) throws {
        var position = bytes.startIndex
        while position < bytes.endIndex {
            let key = try readVarint(bytes, at: &position)
            let field = key >> 3
            switch key & 7 {
            case 0:
                try visit(field, .varint(try readVarint(bytes, at: &position)))
            case 2:
                let length = try readVarint(bytes, at: &position)
                guard length <= UInt64(bytes.endIndex - position) else {
                    throw BenchError("etcd reply: field overruns")
                }
                let end = position + Int(length)
                try visit(field, .bytes(bytes[position..<end]))
                position = end
            case 1, 5:
                let width = key & 7 == 1 ? 8 : 4
                guard width <= bytes.endIndex - position else { throw BenchError("etcd reply: field overruns") }
                position += width
                try visit(field, .fixed)
            default:
                throw BenchError("etcd reply: unsupported protobuf wire type \(key & 7)")
            }
        }
    }

    static func readVarint(_ bytes: ArraySlice<UInt8>, at position: inout Int) throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while position < bytes.endIndex, shift < 64 {
            let byte = bytes[position]
            position += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        throw BenchError("etcd reply: truncated varint")
    }
}

/// Passes an already-encoded message through gRPC unchanged.
struct EncodedMessageSerializer: MessageSerializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
}

/// Hands a reply over as its encoded bytes.
struct EncodedMessageDeserializer: MessageDeserializer {
    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
        serializedMessageBytes.withUnsafeBytes { Array($0) }
    }
}
