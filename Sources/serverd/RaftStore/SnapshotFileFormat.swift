import Crypto
import Foundation
import Raft

/// The layout of a `.snap` file, and the checks that decide whether one can be trusted.
///
///     "CRVSNAP1" | UInt32 LE length | SnapshotMetadata.encoded() | UInt64 LE data length | data
///     | SHA-256 of everything before it (32 bytes)
enum SnapshotFileFormat {
    static let magic: [UInt8] = Array("CRVSNAP1".utf8)
    static let digestSize = 32
    static let fileSuffix = ".snap"
    static let tempSuffix = ".tmp"
    /// How much is read or hashed at a time.
    static let blockSize = 1 << 20

    /// Everything before the data, for a file whose data is `dataSize` bytes long.
    static func header(metadata: [UInt8], dataSize: UInt64) -> [UInt8] {
        magic + littleEndian(UInt32(truncatingIfNeeded: metadata.count)) + metadata + littleEndian(dataSize)
    }

    /// "<term>-<index>.snap", zero-padded so that names sort like (term, index).
    static func fileName(for metadata: SnapshotMetadata) -> String {
        "\(padded(metadata.term))-\(padded(metadata.index))\(fileSuffix)"
    }

    /// The (term, index) in a name made by `fileName(for:)`, or nil for any other name.
    static func parseFileName(_ name: String) -> (term: Term, index: Index)? {
        guard name.hasSuffix(fileSuffix) else { return nil }
        let parts = name.dropLast(fileSuffix.count).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 20 && $0.allSatisfy(\.isASCII) }),
            let term = UInt64(parts[0]), let index = UInt64(parts[1])
        else { return nil }
        return (term, index)
    }

    /// Reads and checks a whole snapshot file: magic, lengths, metadata, and the trailing checksum.
    static func verify(path: String) throws -> StoredSnapshot {
        let file = try PosixFile.forReading(path)
        let size = try file.size()
        let fixed = UInt64(magic.count + 4 + 8 + digestSize)
        guard size >= fixed else { throw truncated(path, "\(size) bytes is shorter than the smallest snapshot") }
        let prefix = try file.read(count: magic.count + 4, at: 0)
        guard Array(prefix.prefix(magic.count)) == magic else {
            throw RaftStoreError.corrupt("\(path): not a Caravan snapshot (bad magic)")
        }
        let metadataSize = UInt64(readLittleEndian(prefix.dropFirst(magic.count)))
        guard metadataSize <= size - fixed else { throw truncated(path, "metadata length \(metadataSize) overruns") }
        let metadataBytes = try file.read(count: Int(metadataSize), at: UInt64(prefix.count))
        let metadata: SnapshotMetadata
        do {
            metadata = try SnapshotMetadata(decoding: metadataBytes)
        } catch {
            throw RaftStoreError.corrupt("\(path): \(error)")
        }
        let dataOffset = UInt64(prefix.count) + metadataSize + 8
        let dataSize = readLittleEndian(try file.read(count: 8, at: dataOffset - 8))
        let room = size - fixed - metadataSize
        guard dataSize <= room else { throw truncated(path, "header promises \(dataSize) data bytes, \(room) present") }
        guard dataSize == room else {
            throw RaftStoreError.corrupt("\(path): \(room - dataSize) unexpected bytes after the data")
        }
        var fileHash = SHA256()
        fileHash.update(data: header(metadata: metadataBytes, dataSize: dataSize))
        var dataHash = SHA256()
        var offset: UInt64 = 0
        while offset < dataSize {
            let block = try file.read(count: Int(min(UInt64(blockSize), dataSize - offset)), at: dataOffset + offset)
            guard !block.isEmpty else { throw truncated(path, "the file shrank while it was read") }
            fileHash.update(data: block)
            dataHash.update(data: block)
            offset += UInt64(block.count)
        }
        let stored = try file.read(count: digestSize, at: dataOffset + dataSize)
        guard stored == Array(fileHash.finalize()) else {
            throw RaftStoreError.corrupt("\(path): checksum mismatch")
        }
        return StoredSnapshot(
            metadata: metadata, dataSize: dataSize, dataSHA256Hex: hex(dataHash.finalize()), path: path,
            dataOffset: dataOffset)
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        (0..<T.bitWidth / 8).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }

    static func readLittleEndian(_ bytes: some Collection<UInt8>) -> UInt64 {
        var value: UInt64 = 0
        for (shift, byte) in bytes.prefix(8).enumerated() {
            value |= UInt64(byte) << (shift * 8)
        }
        return value
    }

    private static func padded(_ value: UInt64) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    private static func truncated(_ path: String, _ detail: String) -> RaftStoreError {
        .corrupt("\(path): truncated: \(detail)")
    }
}
