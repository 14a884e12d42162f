// The binary encoding of the Raft values a driver stores or sends: compact, versioned and canonical (every
// value has exactly one encoding, and any bytes that decode re-encode to themselves).
//
// Integers are unsigned LEB128 varints in their shortest form.
//
//   Membership v1       = 0x01, count, voter..., count, learner..., count, (id, length, bytes)...
//                         voters, learners and context ids strictly ascending; no learner is also a voter
//   SnapshotMetadata v1 = 0x01, index, term, Membership
//   Entry.Kind          = (type, data): 1 normal (data = payload), 2 noop (no data), 3 configuration
//                         (data = Membership)

private let membershipVersion: UInt8 = 1
private let snapshotMetadataVersion: UInt8 = 1

extension Membership {
    /// The canonical bytes of this membership.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        encode(into: &writer)
        return writer.bytes
    }

    /// Decodes bytes produced by `encoded()`; anything else fails with an error naming the offending byte.
    public init(decoding bytes: [UInt8]) throws(RaftCodecError) {
        var reader = ByteReader(bytes, subject: "membership")
        try self.init(from: &reader)
        try reader.expectEnd()
    }

    func encode(into writer: inout ByteWriter) {
        writer.writeByte(membershipVersion)
        writer.writeUVarint(UInt64(voters.count))
        for id in voters { writer.writeUVarint(id) }
        writer.writeUVarint(UInt64(learners.count))
        for id in learners { writer.writeUVarint(id) }
        let ids = context.keys.sorted()
        writer.writeUVarint(UInt64(ids.count))
        for id in ids {
            writer.writeUVarint(id)
            writer.writeLengthPrefixedBytes(context[id] ?? [])
        }
    }

    init(from reader: inout ByteReader) throws(RaftCodecError) {
        let version = try reader.readByte()
        guard version == membershipVersion else {
            throw .unsupportedVersion(subject: reader.subject, version: version)
        }
        let voters = try Self.readAscendingIDs(from: &reader, role: "voter")
        let learners = try Self.readAscendingIDs(from: &reader, role: "learner")
        let voterSet = Set(voters)
        if let both = learners.first(where: { voterSet.contains($0) }) {
            throw .malformed(subject: reader.subject, offset: reader.offset, reason: "learner \(both) is also a voter")
        }
        // Each context item is at least an id byte and a length byte.
        let count = try reader.readCount(minimumItemSize: 2)
        var context: [NodeID: [UInt8]] = [:]
        context.reserveCapacity(count)
        var previous: NodeID?
        for _ in 0..<count {
            let start = reader.offset
            let id = try reader.readUVarint()
            if let previous, id <= previous {
                throw .malformed(subject: reader.subject, offset: start, reason: "context ids not strictly ascending")
            }
            previous = id
            context[id] = try reader.readLengthPrefixedBytes()
        }
        self.init(voters: voters, learners: learners, context: context)
    }

    private static func readAscendingIDs(from reader: inout ByteReader, role: String) throws(RaftCodecError)
        -> [NodeID]
    {
        let count = try reader.readCount(minimumItemSize: 1)
        var ids: [NodeID] = []
        ids.reserveCapacity(count)
        for _ in 0..<count {
            let start = reader.offset
            let id = try reader.readUVarint()
            if let last = ids.last, id <= last {
                throw .malformed(subject: reader.subject, offset: start, reason: "\(role) ids not strictly ascending")
            }
            ids.append(id)
        }
        return ids
    }
}

extension SnapshotMetadata {
    /// The canonical bytes of this metadata.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.writeByte(snapshotMetadataVersion)
        writer.writeUVarint(index)
        writer.writeUVarint(term)
        membership.encode(into: &writer)
        return writer.bytes
    }

    /// Decodes bytes produced by `encoded()`; anything else fails with an error naming the offending byte.
    public init(decoding bytes: [UInt8]) throws(RaftCodecError) {
        var reader = ByteReader(bytes, subject: "snapshot metadata")
        let version = try reader.readByte()
        guard version == snapshotMetadataVersion else {
            throw .unsupportedVersion(subject: reader.subject, version: version)
        }
        let index = try reader.readUVarint()
        let term = try reader.readUVarint()
        let membership = try Membership(from: &reader)
        try reader.expectEnd()
        self.init(index: index, term: term, membership: membership)
    }
}

extension Entry.Kind {
    /// The stored type tag: 1 normal, 2 noop, 3 configuration.
    public var encodedType: UInt8 {
        switch self {
        case .normal: 1
        case .noop: 2
        case .configuration: 3
        }
    }

    /// The stored payload: the command bytes, nothing for a noop, or the encoded membership.
    public var encodedData: [UInt8] {
        switch self {
        case .normal(let payload): payload
        case .noop: []
        case .configuration(let membership): membership.encoded()
        }
    }

    /// Rebuilds a kind from its stored type tag and payload.
    public init(type: UInt8, data: [UInt8]) throws(RaftCodecError) {
        switch type {
        case 1:
            self = .normal(data)
        case 2:
            guard data.isEmpty else { throw .trailingBytes(subject: "noop entry", offset: 0, count: data.count) }
            self = .noop
        case 3:
            self = .configuration(try Membership(decoding: data))
        default:
            throw .unknownEntryType(type)
        }
    }
}
