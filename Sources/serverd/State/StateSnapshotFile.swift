import CaravanProto
import CaravanRPC
import Crypto
import Foundation
import GRPCCore
import SwiftProtobuf

/// The operator's snapshot of the replicated state (`ctl operator snapshot save`): how it streams in chunks
/// and how it is stored in a file. The SHA-256 in the metadata guards both against damage.
///
/// File layout: the magic `CRVSTATE1\n`, a 4-byte big-endian length, the `SnapshotMetadata` message, then
/// the data (an encoded `StateSnapshot`).
public enum StateSnapshotFile {
    static let magic = Array("CRVSTATE1\n".utf8)
    public static let chunkSize = 1 << 20

    public static func metadata(of data: [UInt8], index: UInt64, term: UInt64) -> Caravan_V1_SnapshotMetadata {
        .with {
            $0.index = index
            $0.term = term
            $0.size = UInt64(data.count)
            $0.sha256 = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        }
    }

    public static func chunks(of data: [UInt8], index: UInt64, term: UInt64) -> [Caravan_V1_SnapshotChunk] {
        chunks(of: data, metadata: metadata(of: data, index: index, term: term))
    }

    public static func chunks(of data: [UInt8], metadata: Caravan_V1_SnapshotMetadata) -> [Caravan_V1_SnapshotChunk] {
        var result: [Caravan_V1_SnapshotChunk] = [.with { $0.metadata = metadata }]
        var offset = 0
        while offset < data.count {
            let end = min(data.count, offset + chunkSize)
            result.append(.with { $0.data = Data(data[offset..<end]) })
            offset = end
        }
        return result
    }

    /// Reassembles a chunk stream and checks its size and checksum.
    public static func collect<Chunks: AsyncSequence>(_ chunks: Chunks) async throws
        -> (Caravan_V1_SnapshotMetadata, [UInt8]) where Chunks.Element == Caravan_V1_SnapshotChunk
    {
        var metadata: Caravan_V1_SnapshotMetadata?
        var data: [UInt8] = []
        for try await chunk in chunks {
            if chunk.hasMetadata {
                guard metadata == nil else { throw CaravanError.invalidArgument("snapshot stream has two headers") }
                metadata = chunk.metadata
                guard chunk.metadata.size <= 1 << 34 else {
                    throw CaravanError.invalidArgument("snapshot claims \(chunk.metadata.size) bytes; too large")
                }
            }
            guard let metadata else { throw CaravanError.invalidArgument("snapshot stream starts without metadata") }
            data.append(contentsOf: chunk.data)
            guard UInt64(data.count) <= metadata.size else {
                throw CaravanError.invalidArgument(
                    "snapshot stream carries more than the \(metadata.size) bytes announced")
            }
        }
        guard let metadata else { throw CaravanError.invalidArgument("empty snapshot stream") }
        try verify(data, against: metadata)
        return (metadata, data)
    }

    public static func verify(_ data: [UInt8], against metadata: Caravan_V1_SnapshotMetadata) throws(CaravanError) {
        guard UInt64(data.count) == metadata.size else {
            throw .invalidArgument("snapshot has \(data.count) bytes, its header says \(metadata.size)")
        }
        let actual = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        guard actual == metadata.sha256.lowercased() else {
            throw .invalidArgument("snapshot checksum mismatch: header \(metadata.sha256), data \(actual)")
        }
    }

    /// What a snapshot holds, without restoring it.
    public static func inspect(_ data: [UInt8]) throws -> Caravan_V1_SnapshotInfo {
        let snapshot: Caravan_V1_StateSnapshot
        do {
            snapshot = try Caravan_V1_StateSnapshot(serializedBytes: data)
        } catch {
            throw CaravanError.invalidArgument("snapshot data does not decode: \(error)")
        }
        let metadata = metadata(of: data, index: snapshot.index, term: 0)
        return .with {
            $0.index = snapshot.index
            $0.size = metadata.size
            $0.sha256 = metadata.sha256
            $0.tables = ["variables": UInt64(snapshot.variables.count)]
        }
    }

    public static func encodeFile(metadata: Caravan_V1_SnapshotMetadata, data: [UInt8]) throws -> [UInt8] {
        let header: [UInt8] = try metadata.serializedBytes()
        let length = UInt32(header.count)
        return magic + withUnsafeBytes(of: length.bigEndian, Array.init) + header + data
    }

    /// Reads a snapshot file, checking its header and checksum; `name` is used in errors.
    public static func decodeFile(_ bytes: [UInt8], name: String) throws -> (Caravan_V1_SnapshotMetadata, [UInt8]) {
        guard bytes.count >= magic.count + 4, Array(bytes.prefix(magic.count)) == magic else {
            throw CaravanError.invalidArgument("\(name): not a Caravan state snapshot (bad magic)")
        }
        let lengthBytes = bytes[magic.count..<(magic.count + 4)]
        let length = lengthBytes.reduce(0) { $0 << 8 | Int($1) }
        let start = magic.count + 4
        guard length <= bytes.count - start else {
            throw CaravanError.invalidArgument("\(name): truncated header")
        }
        let metadata: Caravan_V1_SnapshotMetadata
        do {
            metadata = try Caravan_V1_SnapshotMetadata(serializedBytes: Array(bytes[start..<(start + length)]))
        } catch {
            throw CaravanError.invalidArgument("\(name): header does not decode: \(error)")
        }
        let data = Array(bytes[(start + length)...])
        do {
            try verify(data, against: metadata)
        } catch {
            throw CaravanError.invalidArgument("\(name): \(error.message)")
        }
        return (metadata, data)
    }
}
