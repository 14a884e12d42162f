import Foundation
import Raft
import Testing

@testable import RaftStore

@Suite("RaftLogStore")
struct RaftLogStoreTests {
    @Test("a new store loads an empty state and creates its directory with mode 0700")
    func emptyStore() throws {
        try withTemporaryDirectory { root in
            let directory = root + "/data/raft"
            let store = try RaftLogStore(directory: directory)
            #expect(try store.load() == PersistedRaftState())
            #expect(store.path == directory + "/raft.db")
            let attributes = try FileManager.default.attributesOfItem(atPath: directory)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        }
    }

    @Test("what was saved loads back exactly from a new instance")
    func roundTrip() throws {
        try withTemporaryDirectory { directory in
            let snapshot = SnapshotMetadata(index: 3, term: 2, membership: sampleMembership)
            let hardState = HardState(term: UInt64.max, vote: UInt64.max - 1, commit: 6)
            let entries = makeEntries(4...9, term: 2) + [Entry(term: UInt64.max, index: 10, kind: .noop)]
            do {
                let store = try RaftLogStore(directory: directory)
                try store.save(snapshot: snapshot, entries: entries, hardState: hardState)
            }
            let reopened = try RaftLogStore(directory: directory)
            let expected = PersistedRaftState(hardState: hardState, snapshot: snapshot, entries: entries)
            #expect(try reopened.load() == expected)
            #expect(try reopened.load().lastIndex == 10)
        }
    }

    @Test("a hard state without a vote keeps no vote, and a later save replaces it")
    func hardStateUpdates() throws {
        try withTemporaryDirectory { directory in
            let store = try RaftLogStore(directory: directory)
            try store.save(snapshot: nil, entries: makeEntries(1...2, term: 1), hardState: HardState(term: 1, vote: 3))
            try store.save(snapshot: nil, entries: [], hardState: HardState(term: 2, vote: nil, commit: 2))
            #expect(try store.load().hardState == HardState(term: 2, vote: nil, commit: 2))
        }
    }

    @Test("new entries replace a conflicting suffix and keep the prefix")
    func conflictingSuffix() throws {
        try withTemporaryDirectory { directory in
            let store = try RaftLogStore(directory: directory)
            try store.save(snapshot: nil, entries: makeEntries(1...6, term: 1), hardState: HardState(term: 1))
            let replacement = makeEntries(4...5, term: 2)
            try store.save(snapshot: nil, entries: replacement, hardState: HardState(term: 2, commit: 3))
            let loaded = try store.load()
            #expect(loaded.entries == makeEntries(1...3, term: 1) + replacement)
            #expect(loaded.hardState.commit == 3)
        }
    }

    @Test("entries that would leave a gap, or a commit past the end, are refused and nothing is written")
    func refusesInvalidSaves() throws {
        try withTemporaryDirectory { directory in
            let store = try RaftLogStore(directory: directory)
            try store.save(snapshot: nil, entries: makeEntries(1...3, term: 1), hardState: HardState(term: 1))
            let before = try store.load()
            #expect(throws: RaftStoreError.self) {
                try store.save(snapshot: nil, entries: makeEntries(5...6, term: 1), hardState: nil)
            }
            #expect(throws: RaftStoreError.self) {
                try store.save(snapshot: nil, entries: makeEntries(4...4, term: 1), hardState: HardState(commit: 9))
            }
            let mixed = makeEntries(4...4, term: 1) + makeEntries(6...6, term: 1)
            let error = #expect(throws: RaftStoreError.self) {
                try store.save(snapshot: nil, entries: mixed, hardState: nil)
            }
            #expect(error?.description.contains("expected index 5, got 6") == true)
            #expect(try store.load() == before)
        }
    }

    @Test("compaction drops covered entries and records the snapshot; an older snapshot is ignored")
    func compaction() throws {
        try withTemporaryDirectory { directory in
            let store = try RaftLogStore(directory: directory)
            try store.save(snapshot: nil, entries: makeEntries(1...10, term: 1), hardState: HardState(commit: 8))
            let metadata = SnapshotMetadata(index: 6, term: 1, membership: sampleMembership)
            try store.compact(through: metadata)
            try store.compact(through: SnapshotMetadata(index: 4, term: 1, membership: Membership()))
            let loaded = try RaftLogStore(directory: directory).load()
            #expect(loaded.snapshot == metadata)
            #expect(loaded.entries == makeEntries(7...10, term: 1))
            #expect(loaded.hardState.commit == 8)
        }
    }

    @Test("compaction refuses a snapshot whose term contradicts the stored entry at its index")
    func compactionTermMismatch() throws {
        try withTemporaryDirectory { directory in
            let store = try RaftLogStore(directory: directory)
            try store.save(snapshot: nil, entries: makeEntries(1...4, term: 2), hardState: nil)
            #expect(throws: RaftStoreError.self) {
                try store.compact(through: SnapshotMetadata(index: 3, term: 1, membership: Membership()))
            }
            #expect(try store.load().entries.count == 4)
        }
    }

    @Test("installing a snapshot drops the whole log, and entries may follow it in the same save")
    func snapshotInstall() throws {
        try withTemporaryDirectory { directory in
            let store = try RaftLogStore(directory: directory)
            try store.save(snapshot: nil, entries: makeEntries(1...10, term: 1), hardState: HardState(term: 1))
            let snapshot = SnapshotMetadata(index: 20, term: 4, membership: sampleMembership)
            let following = makeEntries(21...22, term: 4)
            try store.save(snapshot: snapshot, entries: following, hardState: HardState(term: 4, commit: 20))
            let loaded = try RaftLogStore(directory: directory).load()
            let expected = PersistedRaftState(
                hardState: HardState(term: 4, commit: 20), snapshot: snapshot, entries: following)
            #expect(loaded == expected)
            // Entries that do not follow the snapshot are refused.
            #expect(throws: RaftStoreError.self) {
                try store.save(snapshot: snapshot, entries: makeEntries(25...25, term: 4), hardState: nil)
            }
            #expect(try store.load() == loaded)
        }
    }

    @Test("the database runs in WAL mode with synchronous=FULL on every connection")
    func durabilitySettings() throws {
        try withTemporaryDirectory { directory in
            let store = try RaftLogStore(directory: directory)
            #expect(try store.pragmaForTesting("journal_mode") == "wal")
            #expect(try store.pragmaForTesting("synchronous") == "2")
            let second = try RaftLogStore(directory: directory)
            #expect(try second.pragmaForTesting("journal_mode") == "wal")
            #expect(try second.pragmaForTesting("synchronous") == "2")
        }
    }

    @Test("a committed save is visible to a second connection opened while the first is still open")
    func secondConnectionSeesCommits() throws {
        try withTemporaryDirectory { directory in
            let first = try RaftLogStore(directory: directory)
            let hardState = HardState(term: 3, commit: 4)
            try first.save(snapshot: nil, entries: makeEntries(1...5, term: 3), hardState: hardState)
            let second = try RaftLogStore(directory: directory)
            #expect(try second.load() == first.load())
            #expect(try second.load().entries.count == 5)
            try second.save(snapshot: nil, entries: makeEntries(6...6, term: 3), hardState: nil)
            #expect(try first.load().lastIndex == 6)
        }
    }

    @Test("the server id is random, non-zero and stable across reopening")
    func serverID() throws {
        try withTemporaryDirectory { directory in
            let id = try RaftLogStore(directory: directory).serverID()
            #expect(id != 0)
            #expect(try RaftLogStore(directory: directory).serverID() == id)
            let otherID = try withTemporaryDirectory { other in try RaftLogStore(directory: other).serverID() }
            #expect(otherID != id)
        }
    }

    @Test("driver flags are stored durably, replaced, and removed with nil")
    func keyValue() throws {
        try withTemporaryDirectory { directory in
            let store = try RaftLogStore(directory: directory)
            #expect(try store.value(forKey: "bootstrapped") == nil)
            try store.setValue("true", forKey: "bootstrapped")
            try store.setValue("yes", forKey: "bootstrapped")
            #expect(try RaftLogStore(directory: directory).value(forKey: "bootstrapped") == "yes")
            try store.setValue(nil, forKey: "bootstrapped")
            #expect(try store.value(forKey: "bootstrapped") == nil)
            #expect(throws: RaftStoreError.self) { try store.setValue("1", forKey: "server_id") }
        }
    }

    @Test("opening something that is not a database fails with an error naming it")
    func notADatabase() throws {
        try withTemporaryDirectory { directory in
            try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: directory + "/raft.db"))
            let error = #expect(throws: RaftStoreError.self) { try RaftLogStore(directory: directory) }
            #expect(error?.description.contains(directory + "/raft.db") == true)
        }
    }
}
