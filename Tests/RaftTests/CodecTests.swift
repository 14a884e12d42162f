import Testing

@testable import Raft

private let sampleMemberships: [Membership] = [
    Membership(),
    Membership(voters: [1]),
    Membership(voters: [3, 1, 2], learners: [9, 4]),
    Membership(
        voters: [1, 0x7F, 0x80, UInt64.max], learners: [0x3FFF, 0x4000],
        context: [1: Array("10.0.0.1:4648".utf8), 0x80: [], UInt64.max: [0, 255, 7]]),
]

@Suite("RaftCodec")
struct CodecTests {
    @Test("a membership decodes to itself", arguments: sampleMemberships)
    func membershipRoundTrip(membership: Membership) throws {
        #expect(try Membership(decoding: membership.encoded()) == membership)
    }

    @Test("snapshot metadata decodes to itself", arguments: sampleMemberships)
    func snapshotMetadataRoundTrip(membership: Membership) throws {
        for (index, term) in [(0, 0), (1, 1), (300, 7), (UInt64.max, UInt64.max)] as [(UInt64, UInt64)] {
            let metadata = SnapshotMetadata(index: index, term: term, membership: membership)
            #expect(try SnapshotMetadata(decoding: metadata.encoded()) == metadata)
        }
    }

    @Test("every entry kind survives its (type, data) form with the documented type numbers")
    func entryKindRoundTrip() throws {
        let kinds: [(Entry.Kind, UInt8)] = [
            (.normal([]), 1), (.normal([1, 2, 3]), 1), (.noop, 2), (.configuration(sampleMemberships[3]), 3),
        ]
        for (kind, type) in kinds {
            #expect(kind.encodedType == type)
            #expect(try Entry.Kind(type: kind.encodedType, data: kind.encodedData) == kind)
        }
        #expect(Entry.Kind.noop.encodedData.isEmpty)
        #expect(Entry.Kind.normal([9, 8]).encodedData == [9, 8])
    }

    @Test("encodings are compact: small ids take one byte each")
    func compact() {
        #expect(Membership(voters: [1, 2, 3]).encoded() == [1, 3, 1, 2, 3, 0, 0])
        let metadata = SnapshotMetadata(index: 5, term: 2, membership: Membership(voters: [1]))
        #expect(metadata.encoded() == [1, 5, 2, 1, 1, 1, 0, 0])
    }

    @Test("every truncation of a valid encoding fails with a truncation error, never a crash")
    func truncations() {
        for membership in sampleMemberships {
            let bytes = membership.encoded()
            for length in 0..<bytes.count {
                #expect(throws: RaftCodecError.self) { try Membership(decoding: Array(bytes[0..<length])) }
            }
            let metadata = SnapshotMetadata(index: 1 << 40, term: 9, membership: membership).encoded()
            for length in 0..<metadata.count {
                #expect(throws: RaftCodecError.self) { try SnapshotMetadata(decoding: Array(metadata[0..<length])) }
            }
        }
        let configuration = Entry.Kind.configuration(sampleMemberships[2])
        let data = configuration.encodedData
        for length in 0..<data.count {
            #expect(throws: RaftCodecError.self) { try Entry.Kind(type: 3, data: Array(data[0..<length])) }
        }
    }

    @Test(
        "errors say what was wrong and where",
        arguments: [
            ([UInt8](), "membership: truncated at byte 0"),
            ([1, 2, 5], "membership: truncated at byte 3"),
            ([7], "membership: unsupported encoding version 7"),
            ([1, 2, 5, 5, 0, 0], "membership: voter ids not strictly ascending at byte 3"),
            ([1, 1, 5, 1, 5, 0], "membership: learner 5 is also a voter at byte 5"),
            ([1, 0, 0, 2, 4, 0, 4, 0], "membership: context ids not strictly ascending at byte 6"),
            ([1, 0, 0, 0, 9, 9], "membership: 2 unexpected trailing bytes at byte 4"),
            ([1, 1, 0x80, 0x00, 0, 0], "membership: varint is not in its shortest form at byte 2"),
            (
                [1, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0, 0],
                "membership: varint overflows 64 bits at byte 2"
            ),
            ([1, 0xFF, 0xFF, 0xFF, 0x0F], "membership: truncated at byte 5"),
        ] as [([UInt8], String)])
    func membershipErrors(bytes: [UInt8], message: String) {
        let error = #expect(throws: RaftCodecError.self) { try Membership(decoding: bytes) }
        #expect(error?.description == message)
    }

    @Test("entry kinds reject unknown types and noops carrying data")
    func entryKindErrors() {
        #expect(throws: RaftCodecError.unknownEntryType(9)) { try Entry.Kind(type: 9, data: []) }
        #expect(throws: RaftCodecError.unknownEntryType(0)) { try Entry.Kind(type: 0, data: []) }
        #expect(String(describing: RaftCodecError.unknownEntryType(9)) == "unknown entry type 9")
        #expect(throws: RaftCodecError.trailingBytes(subject: "noop entry", offset: 0, count: 1)) {
            try Entry.Kind(type: 2, data: [0])
        }
        #expect(throws: RaftCodecError.truncated(subject: "membership", offset: 0)) {
            try Entry.Kind(type: 3, data: [])
        }
    }

    @Test("a count larger than the remaining bytes fails before allocating")
    func hugeCounts() {
        // Voter count 2^63 followed by nothing: must be rejected from the count alone.
        let bytes: [UInt8] = [1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]
        #expect(throws: RaftCodecError.truncated(subject: "membership", offset: 11)) {
            try Membership(decoding: bytes)
        }
        let context: [UInt8] = [1, 0, 0, 1, 5, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]
        #expect(throws: RaftCodecError.truncated(subject: "membership", offset: 10)) {
            try Membership(decoding: context)
        }
    }

    @Test("random and mutated bytes never crash, and whatever decodes re-encodes to the same bytes")
    func fuzz() {
        var random = SplitMix64(seed: 0xC0DE)
        var decoded = 0
        for round in 0..<6000 {
            let bytes: [UInt8]
            switch round % 3 {
            case 0:
                bytes = (0..<random.next(below: 24)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            case 1:
                // Small values from a few interesting bytes get past the header and reach the success path.
                let alphabet: [UInt8] = [0, 1, 2, 3, 5, 0x7F, 0x80, 0xFF]
                bytes = [1] + (0..<random.next(below: 12)).map { _ in alphabet[Int(random.next(below: 8))] }
            default:
                bytes = mutated(randomMembership(&random).encoded(), &random)
            }
            if let membership = try? Membership(decoding: bytes) {
                decoded += 1
                #expect(membership.encoded() == bytes)
            }
            if let metadata = try? SnapshotMetadata(decoding: bytes) {
                decoded += 1
                #expect(metadata.encoded() == bytes)
            }
            if let kind = try? Entry.Kind(type: UInt8(random.next(below: 5)), data: bytes) {
                #expect(kind.encodedData == bytes)
            }
        }
        // The fuzz must reach the success path too, or it proves little.
        #expect(decoded > 500)
    }

    @Test("mutating one byte of a valid encoding never crashes")
    func singleByteMutations() {
        var random = SplitMix64(seed: 42)
        let bytes = SnapshotMetadata(index: 77, term: 3, membership: sampleMemberships[3]).encoded()
        for position in bytes.indices {
            for _ in 0..<16 {
                var mutated = bytes
                mutated[position] = UInt8(truncatingIfNeeded: random.next())
                if let metadata = try? SnapshotMetadata(decoding: mutated) {
                    #expect(metadata.encoded() == mutated)
                }
            }
        }
    }
}

private func randomMembership(_ random: inout SplitMix64) -> Membership {
    func id(_ random: inout SplitMix64) -> NodeID {
        random.next(below: 2) == 0 ? random.next(below: 300) : random.next()
    }
    let voters = (0..<random.next(below: 4)).map { _ in id(&random) }
    let learners = (0..<random.next(below: 3)).map { _ in id(&random) }
    var context: [NodeID: [UInt8]] = [:]
    for member in voters + learners where random.next(below: 2) == 0 {
        context[member] = (0..<random.next(below: 6)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    }
    return Membership(voters: voters, learners: learners, context: context)
}

/// Up to two random edits (replace, delete or insert a byte) of `bytes`; sometimes none.
private func mutated(_ bytes: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
    var result = bytes
    for _ in 0..<random.next(below: 3) {
        let position = Int(random.next(below: UInt64(result.count + 1)))
        let byte = UInt8(truncatingIfNeeded: random.next())
        switch random.next(below: 3) {
        case 0 where position < result.count: result[position] = byte
        case 1 where position < result.count: result.remove(at: position)
        default: result.insert(byte, at: position)
        }
    }
    return result
}
