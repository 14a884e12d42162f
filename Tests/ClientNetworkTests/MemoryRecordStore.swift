import ClientNetwork
import Synchronization

/// Network records kept in memory, standing in for clientd's state database; shared by managers in one test to
/// simulate a restart.
final class MemoryRecordStore: NetworkRecordStore {
    private let records = Mutex<[String: NetworkRecord]>([:])

    func networkRecords() throws -> [NetworkRecord] {
        records.withLock { $0.values.sorted { $0.allocID < $1.allocID } }
    }

    func saveNetworkRecord(_ record: NetworkRecord) throws {
        records.withLock { $0[record.allocID] = record }
    }

    func deleteNetworkRecord(allocID: String) throws {
        records.withLock { $0[allocID] = nil }
    }
}
