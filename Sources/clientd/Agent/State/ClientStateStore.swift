import CaravanProto
import ClientDrivers
import ClientNetwork
import Foundation
import GRDB
import SwiftProtobuf

/// clientd's durable memory, `<data_dir>/client/state.db` (SQLite, WAL, synchronous=FULL): the node's identity,
/// the allocations it was running and, per task, its state and the handle of its executor. After a crash or a
/// restart clientd reads this back and re-attaches to the tasks that are still running instead of restarting them.
public final class ClientStateStore: Sendable {
    public let path: String
    private let database: DatabaseQueue

    /// Opens or creates `<directory>/state.db`.
    public init(directory: String) throws {
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ClientStateError("cannot create \(directory): \(error.localizedDescription)")
        }
        let path = directory + "/state.db"
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            guard mode == "wal" else { throw ClientStateError("\(path): cannot enable WAL (mode \(mode ?? "?"))") }
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        self.path = path
        do {
            database = try DatabaseQueue(path: path, configuration: configuration)
            try Self.migrator.migrate(database)
        } catch let error as ClientStateError {
            throw error
        } catch {
            throw ClientStateError("\(path): \(error)")
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "identity") { table in
                table.column("key", .text).primaryKey()
                table.column("value", .text).notNull()
            }
            try db.create(table: "allocations") { table in
                table.column("id", .text).primaryKey()
                table.column("allocation", .blob).notNull()
            }
            try db.create(table: "tasks") { table in
                table.column("alloc_id", .text).notNull().indexed()
                table.column("task", .text).notNull()
                table.column("state", .blob).notNull()
                table.column("handle", .blob)
                table.primaryKey(["alloc_id", "task"])
            }
        }
        migrator.registerMigration("v2-networks") { db in
            // One row per network namespace this client made, with its bridge address (the IPAM state).
            try db.create(table: "networks") { table in
                table.column("alloc_id", .text).primaryKey()
                table.column("record", .blob).notNull()
            }
        }
        return migrator
    }

    // MARK: Identity

    /// The node's ID and secret, created once and kept for the life of the data dir.
    public func nodeIdentity() throws -> (id: String, secret: String) {
        try database.write { db in
            let id = try String.fetchOne(db, sql: "SELECT value FROM identity WHERE key = 'node_id'")
            let secret = try String.fetchOne(db, sql: "SELECT value FROM identity WHERE key = 'secret_id'")
            if let id, let secret { return (id, secret) }
            let newID = UUID().uuidString.lowercased()
            let newSecret = UUID().uuidString.lowercased()
            try db.execute(
                sql: "INSERT OR REPLACE INTO identity (key, value) VALUES ('node_id', ?), ('secret_id', ?)",
                arguments: [newID, newSecret])
            return (newID, newSecret)
        }
    }

    // MARK: Allocations

    public func saveAllocation(_ allocation: Caravan_V1_Allocation) throws {
        let blob = try allocation.serializedData()
        try database.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO allocations (id, allocation) VALUES (?, ?)",
                arguments: [allocation.id, blob])
        }
    }

    /// Forgets an allocation and its tasks (after its directory is gone).
    public func deleteAllocation(_ id: String) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM allocations WHERE id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM tasks WHERE alloc_id = ?", arguments: [id])
        }
    }

    public func allocations() throws -> [Caravan_V1_Allocation] {
        try database.read { db in
            try Data.fetchAll(db, sql: "SELECT allocation FROM allocations ORDER BY id").map {
                try Caravan_V1_Allocation(serializedBytes: $0)
            }
        }
    }

    // MARK: Tasks

    /// One task's last known state and, while it runs, its executor handle.
    public struct TaskRecord: Sendable, Equatable {
        public var state: Caravan_V1_TaskState
        public var handle: TaskHandle?

        public init(state: Caravan_V1_TaskState, handle: TaskHandle?) {
            self.state = state
            self.handle = handle
        }
    }

    public func saveTask(allocID: String, task: String, _ record: TaskRecord) throws {
        let state = try record.state.serializedData()
        let handle = try record.handle.map { try JSONEncoder().encode($0) }
        try database.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO tasks (alloc_id, task, state, handle) VALUES (?, ?, ?, ?)",
                arguments: [allocID, task, state, handle])
        }
    }

    /// The tasks of one allocation, by name.
    public func tasks(allocID: String) throws -> [String: TaskRecord] {
        try database.read { db in
            var result: [String: TaskRecord] = [:]
            let rows = try Row.fetchAll(
                db, sql: "SELECT task, state, handle FROM tasks WHERE alloc_id = ?", arguments: [allocID])
            for row in rows {
                let name: String = row["task"]
                let state = try Caravan_V1_TaskState(serializedBytes: row["state"] as Data)
                let handleData: Data? = row["handle"]
                let handle = try handleData.map { try JSONDecoder().decode(TaskHandle.self, from: $0) }
                result[name] = TaskRecord(state: state, handle: handle)
            }
            return result
        }
    }
}

extension ClientStateStore: NetworkRecordStore {
    public func networkRecords() throws -> [NetworkRecord] {
        try database.read { db in
            try Data.fetchAll(db, sql: "SELECT record FROM networks ORDER BY alloc_id").map {
                try JSONDecoder().decode(NetworkRecord.self, from: $0)
            }
        }
    }

    public func saveNetworkRecord(_ record: NetworkRecord) throws {
        let blob = try JSONEncoder().encode(record)
        try database.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO networks (alloc_id, record) VALUES (?, ?)",
                arguments: [record.allocID, blob])
        }
    }

    public func deleteNetworkRecord(allocID: String) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM networks WHERE alloc_id = ?", arguments: [allocID])
        }
    }
}

/// The client state database could not be opened or written; the message names the file.
public struct ClientStateError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
