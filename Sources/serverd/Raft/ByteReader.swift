/// Reads the codec's primitives from a byte array without ever reading past its end.
///
/// Every count read from the input is checked against the bytes that remain before anything is allocated, so
/// hostile input cannot make the decoder reserve more memory than the input itself occupies.
struct ByteReader {
    private let bytes: [UInt8]
    /// What is being decoded, for error messages ("membership").
    let subject: String
    private(set) var offset = 0

    init(_ bytes: [UInt8], subject: String) {
        self.bytes = bytes
        self.subject = subject
    }

    var remaining: Int { bytes.count - offset }

    mutating func readByte() throws(RaftCodecError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated(subject: subject, offset: offset) }
        let byte = bytes[offset]
        offset += 1
        return byte
    }

    /// An unsigned LEB128 value in its shortest form; longer or overflowing forms are rejected so that every
    /// value has exactly one encoding.
    mutating func readUVarint() throws(RaftCodecError) -> UInt64 {
        let start = offset
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            let payload = UInt64(byte & 0x7F)
            if shift == 63 && payload > 1 {
                throw .malformed(subject: subject, offset: start, reason: "varint overflows 64 bits")
            }
            value |= payload << shift
            if byte & 0x80 == 0 {
                if byte == 0 && shift > 0 {
                    throw .malformed(subject: subject, offset: start, reason: "varint is not in its shortest form")
                }
                return value
            }
            shift += 7
            if shift > 63 {
                throw .malformed(subject: subject, offset: start, reason: "varint longer than 10 bytes")
            }
        }
    }

    /// A length-prefixed byte string.
    mutating func readLengthPrefixedBytes() throws(RaftCodecError) -> [UInt8] {
        let length = try readUVarint()
        guard length <= UInt64(remaining) else { throw .truncated(subject: subject, offset: bytes.count) }
        let count = Int(length)
        let slice = Array(bytes[offset..<offset + count])
        offset += count
        return slice
    }

    /// A count of items that each take at least `minimumItemSize` bytes; a count the remaining bytes cannot
    /// hold is reported as truncation before any storage is reserved for it.
    mutating func readCount(minimumItemSize: Int) throws(RaftCodecError) -> Int {
        let count = try readUVarint()
        let fits = UInt64(remaining / max(minimumItemSize, 1))
        guard count <= fits else { throw .truncated(subject: subject, offset: bytes.count) }
        return Int(count)
    }

    func expectEnd() throws(RaftCodecError) {
        guard remaining == 0 else { throw .trailingBytes(subject: subject, offset: offset, count: remaining) }
    }
}

/// Appends the codec's primitives to a byte array.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    mutating func writeByte(_ byte: UInt8) {
        bytes.append(byte)
    }

    mutating func writeUVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func writeLengthPrefixedBytes(_ data: [UInt8]) {
        writeUVarint(UInt64(data.count))
        bytes.append(contentsOf: data)
    }
}
