import Foundation
import Raft
import TestSupport
import Testing

@testable import RaftStore

/// Mounts a 256 KiB tmpfs for `body`, and always unmounts it.
private func withTinyFileSystem(_ body: (String) throws -> Void) throws {
    let tiny: TinyFileSystem
    do {
        tiny = try TinyFileSystem.mount(size: "256k")
    } catch {
        Issue.record("\(error)")
        return
    }
    defer {
        do { try tiny.unmount() } catch { Issue.record("\(error)") }
    }
    try body(tiny.path)
}

/// Writes zeros to `path` until the file system refuses; returns how many bytes fit.
private func fill(_ path: String) throws -> Int {
    let file = try PosixFile.creatingNew(path)
    let block = [UInt8](repeating: 0, count: 4096)
    var written = 0
    while true {
        do {
            try file.write(block, at: UInt64(written))
        } catch RaftStoreError.diskFull {
            return written
        }
        written += block.count
    }
}

@Suite("Full disk")
struct DiskFullTests {
    @Test("save on a full disk throws diskFull, and the last good state loads once space is freed")
    func logOnFullDisk() throws {
        try withTinyFileSystem { mountPoint in
            let directory = mountPoint + "/raft"
            let good = PersistedRaftState(
                hardState: HardState(term: 1, vote: 1, commit: 2), entries: makeEntries(1...3, term: 1))
            let big = Entry(term: 1, index: 4, kind: .normal([UInt8](repeating: 7, count: 64 * 1024)))
            do {
                let store = try RaftLogStore(directory: directory)
                try store.save(snapshot: nil, entries: good.entries, hardState: good.hardState)
                #expect(try fill(mountPoint + "/filler") > 0)
                let error = #expect(throws: RaftStoreError.self) {
                    try store.save(snapshot: nil, entries: [big], hardState: HardState(term: 1, vote: 1, commit: 4))
                }
                #expect(error == .diskFull(path: store.path), "\(String(describing: error))")
            }
            try FileManager.default.removeItem(atPath: mountPoint + "/filler")
            let reopened = try RaftLogStore(directory: directory)
            #expect(try reopened.load() == good)
            try reopened.save(snapshot: nil, entries: [big], hardState: nil)
            #expect(try reopened.load().entries.last == big)
        }
    }

    @Test("a snapshot that does not fit fails with diskFull and leaves no file behind")
    func snapshotOnFullDisk() throws {
        try withTinyFileSystem { mountPoint in
            let store = try SnapshotStore(directory: mountPoint)
            let writer = try store.begin(metadata: SnapshotMetadata(index: 9, term: 1, membership: sampleMembership))
            let error = #expect(throws: RaftStoreError.self) {
                for _ in 0..<128 { try writer.append([UInt8](repeating: 1, count: 4096)) }
            }
            #expect(error == .diskFull(path: writer.temporaryPath), "\(String(describing: error))")
            #expect(try fileNames(in: store.directory).isEmpty)
            #expect(throws: RaftStoreError.self) { try writer.finish(expectedDataSHA256Hex: nil) }
            #expect(try store.latest() == nil)
        }
    }
}
