import Foundation
import Raft
import Testing

@testable import RaftStore

/// SHA-256 of "abc" (FIPS 180-2, appendix B.1).
private let abcSHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

private func metadata(term: Term, index: Index) -> SnapshotMetadata {
    SnapshotMetadata(index: index, term: term, membership: sampleMembership)
}

/// Writes a complete snapshot whose data is `data`.
@discardableResult
private func write(_ store: SnapshotStore, term: Term, index: Index, data: [UInt8]) throws -> StoredSnapshot {
    let writer = try store.begin(metadata: metadata(term: term, index: index))
    try writer.append(data)
    return try writer.finish(expectedDataSHA256Hex: nil)
}

/// Overwrites one byte of a file in place.
private func flipByte(in path: String, at offset: Int) throws {
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    bytes[offset] ^= 0xFF
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

@Suite("SnapshotStore")
struct SnapshotStoreTests {
    @Test("a snapshot written in pieces reads back whole, under a name that sorts by term and index")
    func roundTrip() throws {
        try withTemporaryDirectory { directory in
            let store = try SnapshotStore(directory: directory)
            #expect(try store.latest() == nil)
            let writer = try store.begin(metadata: metadata(term: 3, index: 120))
            try writer.append(Array("a".utf8))
            try writer.append([])
            try writer.append(Array("bc".utf8))
            let stored = try writer.finish(expectedDataSHA256Hex: nil)
            #expect(stored.dataSHA256Hex == abcSHA256)
            #expect(stored.dataSize == 3)
            #expect(stored.path == directory + "/snapshots/00000000000000000003-00000000000000000120.snap")
            #expect(try fileNames(in: store.directory) == ["00000000000000000003-00000000000000000120.snap"])
            let reopened = try SnapshotStore(directory: directory)
            let latest = try #require(try reopened.latest())
            #expect(latest == stored)
            #expect(try latest.readData() == Array("abc".utf8))
        }
    }

    @Test("an empty snapshot is valid")
    func emptyData() throws {
        try withTemporaryDirectory { directory in
            let store = try SnapshotStore(directory: directory)
            let stored = try write(store, term: 1, index: 1, data: [])
            #expect(try store.latest() == stored)
            #expect(try stored.readData().isEmpty)
            #expect(stored.dataSHA256Hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        }
    }

    @Test("a reader streams the data in chunks of the requested size and tracks its offset")
    func chunkedReading() throws {
        try withTemporaryDirectory { directory in
            let store = try SnapshotStore(directory: directory)
            let data = (0..<10).map { UInt8($0) }
            let reader = try write(store, term: 1, index: 5, data: data).openReader(chunkSize: 3)
            var chunks: [[UInt8]] = []
            while let chunk = try reader.next() { chunks.append(chunk) }
            #expect(chunks.map(\.count) == [3, 3, 3, 1])
            #expect(chunks.flatMap { $0 } == data)
            #expect(reader.offset == 10)
            #expect(try reader.next() == nil)
            #expect(throws: RaftStoreError.self) { try reader.snapshot.openReader(chunkSize: 0) }
        }
    }

    @Test("a snapshot received in chunks is published when the announced hash matches, in any letter case")
    func receiveWithCorrectHash() throws {
        try withTemporaryDirectory { directory in
            let store = try SnapshotStore(directory: directory)
            let writer = try store.begin(metadata: metadata(term: 2, index: 40))
            for byte in "abc".utf8 { try writer.append([byte]) }
            #expect(try store.latest() == nil, "an unfinished snapshot must not be visible")
            let stored = try writer.finish(expectedDataSHA256Hex: abcSHA256.uppercased())
            #expect(try store.latest() == stored)
        }
    }

    @Test("a snapshot received with the wrong hash is refused and its temporary file deleted")
    func receiveWithWrongHash() throws {
        try withTemporaryDirectory { directory in
            let store = try SnapshotStore(directory: directory)
            let writer = try store.begin(metadata: metadata(term: 2, index: 40))
            try writer.append(Array("abd".utf8))
            let error = #expect(throws: RaftStoreError.self) { try writer.finish(expectedDataSHA256Hex: abcSHA256) }
            guard case .hashMismatch(let path, let expected, _) = error else {
                Issue.record("expected hashMismatch, got \(String(describing: error))")
                return
            }
            #expect(path == writer.finalPath && expected == abcSHA256)
            #expect(try fileNames(in: store.directory).isEmpty)
            #expect(try store.latest() == nil)
            #expect(throws: RaftStoreError.self) { try writer.append([1]) }
        }
    }

    @Test("a damaged newest snapshot is skipped and reported, and the older good one is used")
    func corruptNewestFallsBack() throws {
        try withTemporaryDirectory { directory in
            let store = try SnapshotStore(directory: directory)
            let older = try write(store, term: 1, index: 10, data: Array(repeating: 1, count: 100))
            let newer = try write(store, term: 2, index: 20, data: Array(repeating: 2, count: 100))
            try flipByte(in: newer.path, at: Int(newer.dataOffset) + 50)
            let scan = try store.scan()
            #expect(scan.latest == older)
            #expect(scan.skipped.map(\.path) == [newer.path])
            #expect(scan.skipped.first?.description == "corrupt Raft storage: \(newer.path): checksum mismatch")
        }
    }

    @Test("every truncation of a snapshot file is detected")
    func truncatedFiles() throws {
        try withTemporaryDirectory { directory in
            let store = try SnapshotStore(directory: directory)
            let older = try write(store, term: 1, index: 1, data: [9, 9, 9])
            let newer = try write(store, term: 1, index: 2, data: Array("hello".utf8))
            let bytes = try Data(contentsOf: URL(fileURLWithPath: newer.path))
            for length in 0..<bytes.count {
                try bytes.prefix(length).write(to: URL(fileURLWithPath: newer.path))
                let scan = try store.scan()
                #expect(scan.latest == older, "length \(length)")
                #expect(scan.skipped.count == 1)
            }
            try bytes.write(to: URL(fileURLWithPath: newer.path))
            #expect(try store.latest() == newer)
        }
    }

    @Test(
        "files that are damaged in other ways are skipped with a reason",
        arguments: [
            (0, "bad magic"),
            (8, "truncated: metadata length"),
            (12, "snapshot metadata: unsupported encoding version"),
        ] as [(Int, String)])
    func damagedHeaders(offset: Int, reason: String) throws {
        try withTemporaryDirectory { directory in
            let store = try SnapshotStore(directory: directory)
            let stored = try write(store, term: 1, index: 1, data: [1, 2, 3])
            try flipByte(in: stored.path, at: offset + (offset == 8 ? 3 : 0))
            let scan = try store.scan()
            #expect(scan.latest == nil)
            #expect(scan.skipped.first?.description.contains(reason) == true, "\(scan.skipped)")
        }
    }

    @Test("a file whose contents disagree with its name is skipped")
    func nameMismatch() throws {
        try withTemporaryDirectory { directory in
            let store = try SnapshotStore(directory: directory)
            let stored = try write(store, term: 1, index: 1, data: [1])
            let renamed = store.directory + "/00000000000000000001-00000000000000000002.snap"
            try FileManager.default.moveItem(atPath: stored.path, toPath: renamed)
            let scan = try store.scan()
            #expect(scan.latest == nil)
            #expect(scan.skipped.first?.description.contains("not the one its name says") == true)
        }
    }

    @Test("readData notices damage made after the snapshot was verified")
    func readDataRechecks() throws {
        try withTemporaryDirectory { directory in
            let store = try SnapshotStore(directory: directory)
            let stored = try write(store, term: 1, index: 1, data: Array(repeating: 5, count: 64))
            try flipByte(in: stored.path, at: Int(stored.dataOffset))
            #expect(throws: RaftStoreError.self) { try stored.readData() }
        }
    }

    @Test("leftover temporary files are ignored by latest and removed by prune")
    func leftoverTemporaryFiles() throws {
        try withTemporaryDirectory { directory in
            let store = try SnapshotStore(directory: directory)
            let good = try write(store, term: 1, index: 5, data: [1])
            // A crash after writing everything but before the rename leaves a complete-looking .tmp file.
            let newer = try write(store, term: 1, index: 6, data: [2])
            let leftover = newer.path + ".0123456789abcdef.tmp"
            try FileManager.default.moveItem(atPath: newer.path, toPath: leftover)
            #expect(try store.latest() == good)
            #expect(try store.scan().skipped.isEmpty)
            #expect(try store.prune(retain: 5) == [leftover])
            #expect(try fileNames(in: store.directory) == [(good.path as NSString).lastPathComponent])
        }
    }

    @Test("prune keeps the newest good snapshots and a running writer's file, and deletes the rest")
    func prune() throws {
        try withTemporaryDirectory { directory in
            let store = try SnapshotStore(directory: directory)
            let snapshots = try (1...4).map { try write(store, term: 1, index: Index($0 * 10), data: [UInt8($0)]) }
            let damaged = try write(store, term: 2, index: 50, data: [5])
            try flipByte(in: damaged.path, at: Int(damaged.dataOffset))
            let running = try store.begin(metadata: metadata(term: 2, index: 60))
            let deleted = try store.prune(retain: 2)
            #expect(Set(deleted) == Set([damaged.path, snapshots[0].path, snapshots[1].path]))
            #expect(try store.latest() == snapshots[3])
            #expect(FileManager.default.fileExists(atPath: snapshots[2].path))
            #expect(FileManager.default.fileExists(atPath: running.temporaryPath))
            let finished = try running.finish(expectedDataSHA256Hex: nil)
            #expect(try store.prune(retain: 1) == [snapshots[3].path, snapshots[2].path])
            #expect(try store.latest() == finished)
        }
    }

    @Test("an abandoned or aborted writer deletes its temporary file")
    func abandonedWriter() throws {
        try withTemporaryDirectory { directory in
            let store = try SnapshotStore(directory: directory)
            var path = ""
            do {
                let writer = try store.begin(metadata: metadata(term: 1, index: 1))
                try writer.append([1, 2, 3])
                path = writer.temporaryPath
                withExtendedLifetime(writer) { #expect(FileManager.default.fileExists(atPath: path)) }
            }
            #expect(!FileManager.default.fileExists(atPath: path))
            let aborted = try store.begin(metadata: metadata(term: 1, index: 2))
            aborted.abort()
            aborted.abort()
            #expect(try fileNames(in: store.directory).isEmpty)
            #expect(throws: RaftStoreError.self) { try aborted.finish(expectedDataSHA256Hex: nil) }
        }
    }
}
