import Foundation
import GRDB
import Raft

/// The durable Raft log, hard state and snapshot metadata of one server, in `<directory>/raft.db` (SQLite).
///
/// Every write is one transaction committed in WAL mode with `synchronous=FULL`, so when a call returns the
/// change is on disk and the driver may send the messages that depend on it.
public final class RaftLogStore: Sendable {
    /// The database file.
    public let path: String
    private let database: DatabaseQueue

    /// Opens or creates `<directory>/raft.db`, creating the directory (mode 0700) if it is missing.
    public init(directory: String) throws {
        try FileSystem.createDirectory(directory)
        let path = directory + "/raft.db"
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        // Set here rather than with `configuration.journalMode = .wal`, which lowers synchronous to NORMAL: a
        // commit must reach the disk before the driver acknowledges it.
        configuration.prepareDatabase { db in
            let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            guard mode == "wal" else {
                let reason = "cannot enable WAL mode (journal mode is \(mode ?? "unknown"))"
                throw RaftStoreError.database(path: path, reason: reason)
            }
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        self.path = path
        database = try translatingDatabaseErrors(path: path) {
            try DatabaseQueue(path: path, configuration: configuration)
        }
        try translatingDatabaseErrors(path: path) {
            let migrator = RaftLogSchema.migrator
            if try database.read({ try migrator.hasBeenSuperseded($0) }) {
                throw RaftStoreError.corrupt("\(path) was written by a newer version of Caravan")
            }
            try migrator.migrate(database)
        }
        // A newly created database file must not vanish in a crash along with its directory entry.
        try FileSystem.syncDirectory(directory)
    }

    /// Persists one `Ready`'s storage work in a single durable transaction.
    ///
    /// A snapshot replaces the whole log; entries replace any stored entry at or after the first one's index;
    /// the hard state is replaced. Refuses (and writes nothing) if the result would have a gap or a commit
    /// index past the last entry, since `load()` would reject it.
    public func save(snapshot: SnapshotMetadata?, entries: [Entry], hardState: HardState?) throws {
        if let snapshot { try Self.checkIndex(snapshot.index, "snapshot index") }
        try Self.checkContiguous(entries)
        guard snapshot != nil || !entries.isEmpty || hardState != nil else { return }
        try write { db in
            if let snapshot {
                try db.execute(sql: "DELETE FROM entries")
                try Self.storeSnapshot(snapshot, db)
            }
            if let first = entries.first {
                try self.replaceSuffix(with: entries, startingAt: first.index, db)
            }
            if let hardState {
                try db.execute(
                    sql: """
                        INSERT INTO hard_state (id, term, vote, "commit") VALUES (1, ?, ?, ?)
                        ON CONFLICT (id) DO UPDATE SET term = excluded.term, vote = excluded.vote,
                            "commit" = excluded."commit"
                        """,
                    arguments: [
                        Int64(bitPattern: hardState.term), hardState.vote.map { Int64(bitPattern: $0) },
                        Int64(bitPattern: hardState.commit),
                    ])
            }
            try self.checkCommit(db)
        }
    }

    /// Drops the entries a snapshot covers and records its metadata; a snapshot not newer than the stored one
    /// is ignored.
    public func compact(through metadata: SnapshotMetadata) throws {
        try Self.checkIndex(metadata.index, "snapshot index")
        try write { db in
            if let stored = try Self.storedSnapshotIndex(db), metadata.index <= stored { return }
            let termAtIndex = try Int64.fetchOne(
                db, sql: #"SELECT term FROM entries WHERE "index" = ?"#, arguments: [Int64(metadata.index)])
            if let termAtIndex, UInt64(bitPattern: termAtIndex) != metadata.term {
                throw RaftStoreError.invalidArgument(
                    "snapshot at index \(metadata.index) has term \(metadata.term) but the stored entry there has "
                        + "term \(UInt64(bitPattern: termAtIndex))")
            }
            try db.execute(sql: #"DELETE FROM entries WHERE "index" <= ?"#, arguments: [Int64(metadata.index)])
            try Self.storeSnapshot(metadata, db)
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try translatingDatabaseErrors(path: path) { try database.write(body) }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try translatingDatabaseErrors(path: path) { try database.read(body) }
    }

    private func replaceSuffix(with entries: [Entry], startingAt first: Index, _ db: Database) throws {
        let base = try Self.storedSnapshotIndex(db) ?? 0
        let last = try Self.storedLastIndex(db) ?? base
        guard first > base, first - 1 <= last else {
            throw RaftStoreError.invalidArgument(
                "entries starting at index \(first) do not follow the stored log (snapshot index \(base), last "
                    + "index \(last)) in \(path)")
        }
        try db.execute(sql: #"DELETE FROM entries WHERE "index" >= ?"#, arguments: [Int64(first)])
        // COALESCE keeps empty payloads as empty blobs: SQLite binds a zero-length buffer as NULL.
        let insert = try db.cachedStatement(
            sql: #"INSERT INTO entries ("index", term, type, data) VALUES (?, ?, ?, COALESCE(?, x''))"#)
        for entry in entries {
            try insert.execute(arguments: [
                Int64(entry.index), Int64(bitPattern: entry.term), Int64(entry.kind.encodedType),
                Data(entry.kind.encodedData),
            ])
        }
    }

    private func checkCommit(_ db: Database) throws {
        guard let stored = try Int64.fetchOne(db, sql: #"SELECT "commit" FROM hard_state WHERE id = 1"#) else {
            return
        }
        let commit = UInt64(bitPattern: stored)
        let last = try Self.storedLastIndex(db) ?? Self.storedSnapshotIndex(db) ?? 0
        guard commit <= last else {
            throw RaftStoreError.invalidArgument(
                "hard state commit \(commit) would be beyond the last index \(last) in \(path)")
        }
    }

    private static func storeSnapshot(_ metadata: SnapshotMetadata, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO snapshot_meta (id, "index", term, membership) VALUES (1, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET "index" = excluded."index", term = excluded.term,
                    membership = excluded.membership
                """,
            arguments: [
                Int64(metadata.index), Int64(bitPattern: metadata.term), Data(metadata.membership.encoded()),
            ])
    }

    private static func storedSnapshotIndex(_ db: Database) throws -> Index? {
        try Int64.fetchOne(db, sql: #"SELECT "index" FROM snapshot_meta WHERE id = 1"#).map { UInt64(bitPattern: $0) }
    }

    private static func storedLastIndex(_ db: Database) throws -> Index? {
        try Int64.fetchOne(db, sql: #"SELECT MAX("index") FROM entries"#).map { UInt64(bitPattern: $0) }
    }

    private static func checkIndex(_ index: Index, _ what: String) throws {
        guard index <= UInt64(Int64.max) else {
            throw RaftStoreError.invalidArgument("\(what) \(index) is beyond the largest storable index")
        }
    }

    private static func checkContiguous(_ entries: [Entry]) throws {
        guard let first = entries.first, let last = entries.last else { return }
        try checkIndex(first.index, "entry index")
        try checkIndex(last.index, "entry index")
        guard first.index > 0 else { throw RaftStoreError.invalidArgument("entry index 0 is not a log position") }
        for (offset, entry) in entries.enumerated() where entry.index != first.index + UInt64(offset) {
            throw RaftStoreError.invalidArgument(
                "entries to save are not contiguous: expected index \(first.index + UInt64(offset)), got "
                    + "\(entry.index)")
        }
    }
}
