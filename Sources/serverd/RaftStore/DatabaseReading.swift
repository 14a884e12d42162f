import Foundation
import GRDB

/// Reads typed columns from a row of a file nobody can promise is intact: NULL or a value of the wrong type
/// becomes a `corrupt` error naming the file, the row and the column, never a crash.
struct CheckedRow {
    let row: Row
    /// The file and row, for messages ("/data/raft.db entries row 12").
    let place: String

    func int64(_ column: Int, _ name: String) throws -> Int64 {
        guard let value = try optionalInt64(column, name) else {
            throw RaftStoreError.corrupt("\(place): column \(name) is NULL")
        }
        return value
    }

    func optionalInt64(_ column: Int, _ name: String) throws -> Int64? {
        switch try value(column, name).storage {
        case .null: return nil
        case .int64(let value): return value
        default: throw RaftStoreError.corrupt("\(place): column \(name) is not an integer")
        }
    }

    func bytes(_ column: Int, _ name: String) throws -> [UInt8] {
        switch try value(column, name).storage {
        case .blob(let data): return [UInt8](data)
        default: throw RaftStoreError.corrupt("\(place): column \(name) is not a blob")
        }
    }

    func text(_ column: Int, _ name: String) throws -> String {
        switch try value(column, name).storage {
        case .string(let text): return text
        default: throw RaftStoreError.corrupt("\(place): column \(name) is not text")
        }
    }

    private func value(_ column: Int, _ name: String) throws -> DatabaseValue {
        guard column < row.count else { throw RaftStoreError.corrupt("\(place): column \(name) is missing") }
        return row[column]
    }
}

/// Runs `body`, turning GRDB and SQLite errors into `RaftStoreError`s that name the database at `path`.
func translatingDatabaseErrors<T>(path: String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as RaftStoreError {
        throw error
    } catch let error as DatabaseError {
        if error.resultCode == .SQLITE_FULL { throw RaftStoreError.diskFull(path: path) }
        let message = error.message ?? "SQLite error"
        throw RaftStoreError.database(path: path, reason: "\(message) (code \(error.extendedResultCode.rawValue))")
    } catch {
        throw RaftStoreError.database(path: path, reason: String(describing: error))
    }
}
