import GRDB

extension RaftLogStore {
    /// This server's identity in the Raft group: random and non-zero, created on first use and then stable.
    public func serverID() throws -> UInt64 {
        try write { db in
            let sql = "SELECT value FROM meta WHERE key = ?"
            if let row = try Row.fetchOne(db, sql: sql, arguments: [RaftLogSchema.serverIDKey]) {
                let text = try CheckedRow(row: row, place: "\(path) meta").text(0, "value")
                guard let id = UInt64(text), id != 0 else {
                    throw RaftStoreError.corrupt("\(path): stored server id \"\(text)\" is not a non-zero integer")
                }
                return id
            }
            let id = UInt64.random(in: 1...UInt64.max)
            try db.execute(
                sql: "INSERT INTO meta (key, value) VALUES (?, ?)",
                arguments: [RaftLogSchema.serverIDKey, String(id)])
            return id
        }
    }

    /// A small driver flag (such as "bootstrapped"), or nil if it was never set.
    public func value(forKey key: String) throws -> String? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]) else {
                return nil
            }
            return try CheckedRow(row: row, place: "\(path) meta \"\(key)\"").text(0, "value")
        }
    }

    /// Durably sets a driver flag; nil removes it. The key "server_id" is reserved for `serverID()`.
    public func setValue(_ value: String?, forKey key: String) throws {
        guard key != RaftLogSchema.serverIDKey else {
            throw RaftStoreError.invalidArgument("the key \"\(key)\" is reserved for the server id")
        }
        try write { db in
            if let value {
                try db.execute(
                    sql: """
                        INSERT INTO meta (key, value) VALUES (?, ?)
                        ON CONFLICT (key) DO UPDATE SET value = excluded.value
                        """,
                    arguments: [key, value])
            } else {
                try db.execute(sql: "DELETE FROM meta WHERE key = ?", arguments: [key])
            }
        }
    }
}
