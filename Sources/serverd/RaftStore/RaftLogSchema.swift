import GRDB

/// The tables of `raft.db`, as migrations so that a later version can evolve an existing file in place.
///
/// Unsigned Raft numbers are stored as the bit pattern of a signed SQLite integer; indexes are kept at or
/// below `Int64.max` so that SQL comparisons on them stay correct.
enum RaftLogSchema {
    static let serverIDKey = "server_id"

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE entries (
                        "index" INTEGER PRIMARY KEY,
                        term INTEGER NOT NULL,
                        type INTEGER NOT NULL,
                        data BLOB NOT NULL
                    );
                    CREATE TABLE hard_state (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        term INTEGER NOT NULL,
                        vote INTEGER,
                        "commit" INTEGER NOT NULL
                    );
                    CREATE TABLE snapshot_meta (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        "index" INTEGER NOT NULL,
                        term INTEGER NOT NULL,
                        membership BLOB NOT NULL
                    );
                    CREATE TABLE meta (
                        key TEXT PRIMARY KEY NOT NULL,
                        value TEXT NOT NULL
                    );
                    """)
        }
        return migrator
    }
}
