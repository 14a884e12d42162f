import GRDB

extension RaftLogStore {
    /// Runs raw SQL against the database; tests use it to damage a file on purpose.
    func executeForTesting(_ sql: String) throws {
        try write { db in try db.execute(sql: sql) }
    }

    /// A pragma's current value as text ("wal", "2"), so tests can check the durability settings took effect.
    func pragmaForTesting(_ name: String) throws -> String? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "PRAGMA \(name)") else { return nil }
            let value: DatabaseValue = row[0]
            switch value.storage {
            case .int64(let number): return String(number)
            case .string(let text): return text
            default: return nil
            }
        }
    }
}
