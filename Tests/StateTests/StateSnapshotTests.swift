import CaravanProto
import CaravanRPC
import State
import SwiftProtobuf
import Testing

/// Snapshots: what a replica installs instead of replaying the log.
@Suite("StateMachine: snapshots")
struct StateSnapshotTests {
    func populated() throws -> StateMachine {
        let machine = StateMachine()
        machine.applyAll([
            try Entries.put("jobs/api", ["user": "app", "password": "s3cr3t", "a": "b"]),
            try Entries.put("jobs/web", ["k": "v"], namespace: "team"),
            try Entries.put("jobs/api", ["user": "app2"]),
            try Entries.put("gone", ["k": "v"]),
            try Entries.delete("gone"),
        ])
        return machine
    }

    @Test("snapshot then restore into a fresh machine gives identical reads, index and bytes")
    func roundTrip() throws {
        let original = try populated()
        let bytes = try original.snapshot()

        let restored = StateMachine()
        try restored.restore(from: bytes)
        #expect(restored.lastAppliedIndex == 5)
        #expect(restored.variables == original.variables)
        #expect(restored.everything == original.everything)
        #expect(restored.variables.variable(path: "jobs/api", namespace: "")?.createIndex == 1)
        #expect(restored.variables.list(namespace: "team") == original.variables.list(namespace: "team"))
        #expect(try restored.snapshot() == bytes)

        // The restored machine carries on from the snapshot's index.
        let next = restored.apply(entryData: try Entries.put("jobs/api", ["v": "3"]), index: 6)
        #expect(next.storedVariable?.createIndex == 1 && next.storedVariable?.modifyIndex == 6)
    }

    @Test("replicas applying the same entries write byte-identical snapshots")
    func deterministic() throws {
        #expect(try populated().snapshot() == (try populated().snapshot()))
    }

    @Test("restoring garbage throws DATA_LOSS and leaves the state as it was")
    func garbage() throws {
        let machine = try populated()
        let before = try machine.snapshot()
        let error = try #require(throws: CaravanError.self) { try machine.restore(from: [0xFF, 0xFF, 0xFF, 0x01]) }
        #expect(error.code == .dataLoss)
        #expect(error.message.hasPrefix("snapshot of 4 bytes does not decode"))
        #expect(try machine.snapshot() == before)
        #expect(machine.lastAppliedIndex == 5)
    }

    @Test("a snapshot holding one variable twice is refused whole")
    func duplicates() throws {
        let machine = try populated()
        let before = try machine.snapshot()
        var snapshot = try Caravan_V1_StateSnapshot(serializedBytes: before)
        snapshot.index = 99
        snapshot.variables.append(snapshot.variables[0])

        let error = try #require(throws: CaravanError.self) {
            try machine.restore(from: try snapshot.serializedBytes())
        }
        #expect(error.code == .dataLoss)
        #expect(error.message.contains("twice"))
        #expect(try machine.snapshot() == before)
    }

    @Test("restoring replaces everything: variables missing from the snapshot are gone")
    func replaces() throws {
        let small = StateMachine()
        small.applyAll([try Entries.put("only", ["k": "v"])])
        let machine = try populated()
        try machine.restore(from: try small.snapshot())
        #expect(machine.everything.map(\.path) == ["only"])
        #expect(machine.lastAppliedIndex == 1)
    }
}
