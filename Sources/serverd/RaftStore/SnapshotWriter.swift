import Crypto
import Foundation
import Raft

/// Writes one snapshot into a temporary file and publishes it atomically, so a crash never leaves a
/// half-written `.snap` behind, only a `.tmp` that `SnapshotStore.latest()` ignores and `prune` removes.
///
/// A writer that is dropped without `finish` deletes its temporary file.
public final class SnapshotWriter {
    public let metadata: SnapshotMetadata
    /// The file being written.
    public let temporaryPath: String
    /// Where `finish` publishes it.
    public let finalPath: String
    private let store: SnapshotStore
    private let metadataBytes: [UInt8]
    private var file: PosixFile?
    private var dataHash = SHA256()
    private var dataSize: UInt64 = 0

    init(store: SnapshotStore, metadata: SnapshotMetadata, temporaryPath: String, finalPath: String) throws {
        self.store = store
        self.metadata = metadata
        self.temporaryPath = temporaryPath
        self.finalPath = finalPath
        metadataBytes = metadata.encoded()
        let file = try PosixFile.creatingNew(temporaryPath)
        self.file = file
        do {
            // The data length is patched in by `finish`, once it is known.
            try file.write(SnapshotFileFormat.header(metadata: metadataBytes, dataSize: 0), at: 0)
        } catch {
            abort()
            throw error
        }
    }

    deinit {
        abort()
    }

    /// Appends the next piece of the state-machine data.
    public func append(_ bytes: [UInt8]) throws {
        let file = try openFile()
        do {
            try file.write(bytes, at: dataOffset + dataSize)
        } catch {
            abort()
            throw error
        }
        dataHash.update(data: bytes)
        dataSize += UInt64(bytes.count)
    }

    /// Seals the file with its checksum, makes it durable and renames it into place.
    ///
    /// `expectedDataSHA256Hex` is the hash a leader announced for a snapshot received in chunks; when it does not
    /// match the data written, the temporary file is deleted and this throws `hashMismatch`.
    public func finish(expectedDataSHA256Hex: String?) throws -> StoredSnapshot {
        let file = try openFile()
        let dataHex = SnapshotFileFormat.hex(dataHash.finalize())
        do {
            if let expected = expectedDataSHA256Hex, expected.lowercased() != dataHex {
                throw RaftStoreError.hashMismatch(path: finalPath, expected: expected, actual: dataHex)
            }
            let header = SnapshotFileFormat.header(metadata: metadataBytes, dataSize: dataSize)
            try file.write(header, at: 0)
            try file.write(try fileChecksum(header: header, file: file), at: dataOffset + dataSize)
            try file.sync()
            file.close()
            self.file = nil
            try FileSystem.rename(temporaryPath, to: finalPath)
            store.finishedWriting(temporaryPath)
            try FileSystem.syncDirectory(store.directory)
        } catch {
            abort()
            throw error
        }
        return StoredSnapshot(
            metadata: metadata, dataSize: dataSize, dataSHA256Hex: dataHex, path: finalPath, dataOffset: dataOffset)
    }

    /// Gives up: deletes the temporary file. Safe to call more than once.
    public func abort() {
        guard let file else { return }
        file.close()
        self.file = nil
        try? FileSystem.remove(temporaryPath)
        store.finishedWriting(temporaryPath)
    }

    private var dataOffset: UInt64 {
        UInt64(SnapshotFileFormat.magic.count + 4 + metadataBytes.count + 8)
    }

    private func openFile() throws -> PosixFile {
        guard let file else {
            throw RaftStoreError.invalidArgument("the snapshot writer for \(finalPath) was already finished or aborted")
        }
        return file
    }

    /// The data length only becomes known at the end and sits before the data, so the checksum is computed by
    /// reading the data back.
    private func fileChecksum(header: [UInt8], file: PosixFile) throws -> [UInt8] {
        var hash = SHA256()
        hash.update(data: header)
        var offset: UInt64 = 0
        while offset < dataSize {
            let count = Int(min(UInt64(SnapshotFileFormat.blockSize), dataSize - offset))
            let block = try file.read(count: count, at: dataOffset + offset)
            guard block.count == count else {
                throw RaftStoreError.io(path: temporaryPath, operation: "read back", reason: "the file is shorter")
            }
            hash.update(data: block)
            offset += UInt64(count)
        }
        return Array(hash.finalize())
    }
}
