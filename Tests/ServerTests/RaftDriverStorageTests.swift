import CaravanProto
import CaravanRPC
import Foundation
import Logging
import Raft
import RaftStore
import State
import TestSupport
import Testing

@testable import CaravanServer

@Suite("Raft driver on a failing disk", .serialized, .timeLimit(.minutes(2)))
struct RaftDriverStorageTests {
    @Test("when the disk fills, the server stops acknowledging, and every acknowledged write is in its store")
    func fullDiskStopsAcknowledgements() async throws {
        let tiny = try TinyFileSystem.mount(size: "1m")
        defer { try? tiny.unmount() }
        let certs = try CertificateFixture()
        let logger = Logger(label: "raft-driver-test")
        let directory = tiny.path + "/raft"
        let logStore = try RaftLogStore(directory: directory)
        let snapshots = try SnapshotStore(directory: directory + "/snapshots")
        let machine = StateMachine()
        let restored = try RaftDriver.restore(
            logStore: logStore, snapshots: snapshots, stateMachine: machine, logger: logger)
        var settings = RaftSettings()
        settings.tickInterval = .milliseconds(10)
        settings.requestTimeout = .seconds(5)
        let address = HostPort(host: "127.0.0.1", port: 1)
        let member = RaftMember(id: try logStore.serverID(), name: "solo", raftAddress: address, rpcAddress: address)
        let transport = RaftTransport(
            selfID: member.id, tls: try certs.material("server"), region: "global", snapshots: snapshots,
            requestTimeout: .seconds(5), logger: logger)
        let driver = RaftDriver(
            id: member.id, selfMember: member, settings: settings, logStore: logStore, snapshots: snapshots,
            stateMachine: machine, transport: transport, restored: restored, logger: logger)
        let ticks = Task { await driver.runTicks() }
        defer { ticks.cancel() }
        try await driver.bootstrap(members: [member])
        // A loaded machine may take a while to run the first election.
        let deadline = ContinuousClock.now + .seconds(20)
        while await driver.status.role != .leader, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try #require(await driver.status.role == .leader)

        var acknowledged = 0
        var failure: (any Error)?
        for sequence in 0..<200 {
            do {
                _ = try await driver.propose(try Self.bigPut(sequence))
                acknowledged += 1
            } catch {
                failure = error
                break
            }
        }
        #expect(acknowledged > 0)
        let message = (failure as? CaravanError)?.message ?? "\(String(describing: failure))"
        #expect(message.contains("raft storage failed"), "\(message)")
        // From now on nothing is acknowledged, not even a tiny write.
        await #expect(throws: CaravanError.self) { _ = try await driver.propose(try Self.bigPut(999, size: 1)) }
        await driver.stop()

        // The store is intact: a copy of its files loads and holds at least every acknowledged write.
        let copy = try TemporaryDirectory.make(prefix: "caravan-raft-copy")
        defer { try? FileManager.default.removeItem(atPath: copy) }
        for file in try FileManager.default.contentsOfDirectory(atPath: directory) where file.hasPrefix("raft.db") {
            try FileManager.default.copyItem(atPath: directory + "/" + file, toPath: copy + "/" + file)
        }
        let state = try RaftLogStore(directory: copy).load()
        let commands = state.entries.filter { if case .normal = $0.kind { true } else { false } }
        #expect(commands.count >= acknowledged)
    }

    /// An encoded put of a variable with one item of `size` bytes.
    static func bigPut(_ sequence: Int, size: Int = 60_000) throws -> [UInt8] {
        var request = Caravan_V1_PutVariableRequest()
        request.variable.path = "big/\(sequence)"
        request.variable.items = ["blob": String(repeating: "x", count: size)]
        return try StateCommands.putVariable(request, at: Date()).serializedBytes()
    }
}
