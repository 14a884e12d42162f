import CaravanProto
import ClientDrivers
import ClientNetwork
import Foundation
import TestSupport
import Testing

@testable import ClientAgent

@Suite("client state store")
struct ClientStateStoreTests {
    @Test("identity, allocations and task records survive reopening the database")
    func roundTrip() throws {
        let root = try TemporaryDirectory.make(prefix: "caravan-client-state")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let identity: (id: String, secret: String)
        do {
            let store = try ClientStateStore(directory: root)
            identity = try store.nodeIdentity()
            try store.saveAllocation(
                .with {
                    $0.id = "a1"; $0.name = "job.g[0]"
                })
            let handle = TaskHandle(driver: "exec", executorPID: 42, executorStartTicks: 7, taskPID: 43, stateDir: "/x")
            try store.saveTask(
                allocID: "a1", task: "web",
                .init(
                    state: .with {
                        $0.state = .running; $0.restarts = 2
                    }, handle: handle))
        }
        let reopened = try ClientStateStore(directory: root)
        let again = try reopened.nodeIdentity()
        #expect(again.id == identity.id && again.secret == identity.secret)
        #expect(try reopened.allocations().map(\.name) == ["job.g[0]"])
        let tasks = try reopened.tasks(allocID: "a1")
        #expect(tasks["web"]?.state.restarts == 2)
        #expect(tasks["web"]?.handle?.executorPID == 42)
        try reopened.deleteAllocation("a1")
        #expect(try reopened.allocations().isEmpty)
        #expect(try reopened.tasks(allocID: "a1").isEmpty)
    }

    @Test("network records (the IPAM state) survive reopening and can be forgotten")
    func networkRecords() throws {
        let root = try TemporaryDirectory.make(prefix: "caravan-client-state")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let record = NetworkRecord(
            allocID: "a1", mode: .bridge, bridge: "caravan", address: IPv4Address("172.26.64.2"),
            hostInterface: "cv0123456789abc", ports: [PortMapping(label: "http", hostPort: 9090, containerPort: 80)])
        do {
            let store = try ClientStateStore(directory: root)
            try store.saveNetworkRecord(record)
            try store.saveNetworkRecord(NetworkRecord(allocID: "a2", mode: .none))
        }
        let reopened = try ClientStateStore(directory: root)
        #expect(try reopened.networkRecords() == [record, NetworkRecord(allocID: "a2", mode: .none)])
        try reopened.deleteNetworkRecord(allocID: "a1")
        #expect(try reopened.networkRecords().map(\.allocID) == ["a2"])
    }

    @Test("an unwritable location is a clear error naming the path")
    func unwritable() throws {
        #expect(throws: ClientStateError.self) { try ClientStateStore(directory: "/proc/caravan-cannot-exist") }
    }
}
