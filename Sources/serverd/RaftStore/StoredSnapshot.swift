import Crypto
import Foundation
import Raft

/// A complete snapshot file that passed its checksum, and how to read its data back.
public struct StoredSnapshot: Sendable, Hashable {
    public var metadata: SnapshotMetadata
    /// The length of the state-machine data, without the file's header and checksum.
    public var dataSize: UInt64
    /// The SHA-256 of the data, in lowercase hex: what a leader announces so the receiver can check its copy.
    public var dataSHA256Hex: String
    /// The `.snap` file.
    public var path: String
    /// Where the data starts in the file.
    var dataOffset: UInt64

    /// All of the data, checked again against `dataSHA256Hex` so that damage since the file was verified is caught.
    public func readData() throws -> [UInt8] {
        let reader = try openReader(chunkSize: SnapshotFileFormat.blockSize)
        var data: [UInt8] = []
        data.reserveCapacity(Int(clamping: dataSize))
        while let chunk = try reader.next() {
            data += chunk
        }
        return data
    }

    /// Reads the data in chunks of at most `chunkSize` bytes, for streaming it to a follower.
    public func openReader(chunkSize: Int) throws -> SnapshotReader {
        guard chunkSize > 0 else { throw RaftStoreError.invalidArgument("chunk size \(chunkSize) must be positive") }
        return SnapshotReader(snapshot: self, file: try PosixFile.forReading(path), chunkSize: chunkSize)
    }
}

/// Reads a stored snapshot's data in order, one chunk at a time, and checks the data hash at the end.
public final class SnapshotReader {
    public let snapshot: StoredSnapshot
    /// How many data bytes `next()` has returned so far: the offset of the next chunk.
    public private(set) var offset: UInt64 = 0
    private let file: PosixFile
    private let chunkSize: Int
    private var hash = SHA256()

    init(snapshot: StoredSnapshot, file: PosixFile, chunkSize: Int) {
        self.snapshot = snapshot
        self.file = file
        self.chunkSize = chunkSize
    }

    /// The next chunk, or nil after the last one. Throws `corrupt` if the file changed since it was verified.
    public func next() throws -> [UInt8]? {
        let size = snapshot.dataSize
        guard offset < size else { return nil }
        let count = Int(min(UInt64(chunkSize), size - offset))
        let chunk = try file.read(count: count, at: snapshot.dataOffset + offset)
        guard chunk.count == count else {
            throw RaftStoreError.corrupt("\(snapshot.path): truncated: the file shrank after it was verified")
        }
        hash.update(data: chunk)
        offset += UInt64(count)
        if offset == size {
            let actual = SnapshotFileFormat.hex(hash.finalize())
            guard actual == snapshot.dataSHA256Hex else {
                throw RaftStoreError.corrupt("\(snapshot.path): data changed after it was verified (SHA-256 \(actual))")
            }
        }
        return chunk
    }
}
