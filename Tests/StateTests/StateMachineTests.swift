import CaravanProto
import CaravanRPC
import Foundation
import State
import SwiftProtobuf
import Testing

/// The state machine applied entry by entry, as every replica applies the committed log.
@Suite("StateMachine: variables")
struct StateMachineTests {
    @Test("a put stores the variable with indexes from the entry and times from the command, never the clock")
    func putStores() throws {
        let machine = StateMachine()
        let proposed = Date(timeIntervalSince1970: 1_234_567_890)
        let result = machine.apply(entryData: try Entries.put("jobs/api", ["user": "app"], at: proposed), index: 7)

        let stored = try #require(result.storedVariable)
        #expect(stored.path == "jobs/api")
        #expect(stored.namespace == "default")
        #expect(stored.items == ["user": "app"])
        #expect(stored.createIndex == 7 && stored.modifyIndex == 7)
        #expect(stored.createTime.date == proposed && stored.modifyTime.date == proposed)
        #expect(machine.lastAppliedIndex == 7)
        #expect(machine.variables.variable(path: "jobs/api", namespace: "") == stored)
        #expect(machine.variables.variable(path: "jobs/api", namespace: "default") == stored)
    }

    @Test("a second put replaces the items, keeps the create index and time, and moves the modify ones")
    func putReplaces() throws {
        let machine = StateMachine()
        let later = Entries.time.addingTimeInterval(60)
        machine.applyAll([try Entries.put("a", ["x": "1", "y": "2"])])
        let result = machine.apply(entryData: try Entries.put("a", ["z": "3"], at: later), index: 5)

        let stored = try #require(result.storedVariable)
        #expect(stored.items == ["z": "3"])
        #expect(stored.createIndex == 1 && stored.modifyIndex == 5)
        #expect(stored.createTime.date == Entries.time && stored.modifyTime.date == later)
    }

    @Test("check-and-set succeeds when the index matches; 0 creates only a new variable")
    func casSucceeds() throws {
        let machine = StateMachine()
        let created = machine.applyAll([try Entries.put("a", ["v": "1"], checkIndex: 0)])
        #expect(created[0].storedVariable?.modifyIndex == 1)
        let updated = machine.applyAll([try Entries.put("a", ["v": "2"], checkIndex: 1)])
        #expect(updated[0].storedVariable?.items == ["v": "2"])
        machine.applyAll([try Entries.delete("a", checkIndex: 2)])
        #expect(machine.variables.count == 0)
    }

    @Test(
        "check-and-set conflicts fail with the stored index and change nothing",
        arguments: [
            (UInt64(7), "cas error: variable \"a\" modify index is 1, not 7"),
            (UInt64(0), "cas error: variable \"a\" already exists with modify index 1"),
        ]
    )
    func casConflict(checkIndex: UInt64, message: String) throws {
        let machine = StateMachine()
        machine.applyAll([try Entries.put("a", ["v": "1"])])
        let before = machine.everything

        let put = machine.apply(entryData: try Entries.put("a", ["v": "2"], checkIndex: checkIndex), index: 2)
        #expect(put.refusal == CaravanError.failedPrecondition(message))
        let delete = machine.apply(entryData: try Entries.delete("a", checkIndex: checkIndex), index: 3)
        #expect(delete.refusal == CaravanError.failedPrecondition(message))
        #expect(machine.everything == before)
        #expect(machine.lastAppliedIndex == 3)
    }

    @Test("check-and-set against a missing variable fails unless the index is 0")
    func casMissing() throws {
        let machine = StateMachine()
        let results = machine.applyAll([
            try Entries.put("a", ["v": "1"], checkIndex: 4), try Entries.delete("b", checkIndex: 9),
        ])
        #expect(
            results[0].refusal?.message == "cas error: variable \"a\" does not exist, expected modify index 4")
        #expect(results[1].refusal?.code == .failedPrecondition)
        #expect(machine.variables.count == 0)
    }

    @Test("a delete removes the variable; deleting a missing one succeeds without CAS")
    func delete() throws {
        let machine = StateMachine()
        let results = machine.applyAll([
            try Entries.put("a", ["v": "1"]), try Entries.put("b", ["v": "1"]), try Entries.delete("a"),
            try Entries.delete("never"), try Entries.delete("a", checkIndex: 0),
        ])
        #expect(results[2] == .applied)
        #expect(results[3] == .applied)
        #expect(results[4] == .applied, "0 = must not exist, and it is gone: nothing to do")
        #expect(machine.variables.variable(path: "a", namespace: "") == nil)
        #expect(machine.variables.variable(path: "b", namespace: "")?.items == ["v": "1"])
        #expect(machine.lastAppliedIndex == 5)
    }

    @Test("lists are sorted by path, filtered by prefix, paged by the next path, and never carry items")
    func list() throws {
        let machine = StateMachine()
        machine.applyAll(
            try ["jobs/web", "jobs/api", "other", "jobs/db", "jobsx"].map { try Entries.put($0, ["k": "v"]) })
        let table = machine.variables

        #expect(
            table.list(namespace: "").variables.map(\.path) == ["jobs/api", "jobs/db", "jobs/web", "jobsx", "other"])
        #expect(
            table.list(namespace: "", prefix: "jobs/").variables.map(\.path) == ["jobs/api", "jobs/db", "jobs/web"])

        let first = table.list(namespace: "", prefix: "jobs", limit: 2)
        #expect(first.variables.map(\.path) == ["jobs/api", "jobs/db"])
        #expect(first.nextToken == "jobs/web")
        let second = table.list(namespace: "", prefix: "jobs", start: first.nextToken, limit: 2)
        #expect(second.variables.map(\.path) == ["jobs/web", "jobsx"])
        #expect(second.nextToken == "")
        #expect(first.variables[0].modifyIndex == 2 && first.variables[0].namespace == "default")
    }

    @Test("namespaces are separate tables; \"\" is \"default\"")
    func namespaces() throws {
        let machine = StateMachine()
        machine.applyAll([
            try Entries.put("a", ["v": "default"]), try Entries.put("a", ["v": "team"], namespace: "team"),
        ])
        #expect(machine.variables.variable(path: "a", namespace: "team")?.items == ["v": "team"])
        #expect(machine.variables.variable(path: "a", namespace: "")?.items == ["v": "default"])
        #expect(machine.variables.list(namespace: "team").variables.map(\.namespace) == ["team"])
        machine.applyAll([try Entries.delete("a", namespace: "team")])
        #expect(machine.variables.variable(path: "a", namespace: "default") != nil)
        #expect(machine.variables.count == 1)
    }

    @Test(
        "entries that are not state commands are refused, change nothing and still count as applied",
        arguments: [[0xFF, 0xFF, 0xFF], [0x0A], [0x52, 0x05, 0x01]] as [[UInt8]]
    )
    func malformedEntries(bytes: [UInt8]) throws {
        let machine = StateMachine()
        machine.applyAll([try Entries.put("a", ["v": "1"])])
        let before = machine.everything

        let result = machine.apply(entryData: bytes, index: 2)
        let refusal = try #require(result.refusal)
        #expect(refusal.code == .invalidArgument)
        #expect(refusal.message.hasPrefix("entry 2 is not a state command"))
        #expect(machine.everything == before)
        #expect(machine.lastAppliedIndex == 2)
    }

    @Test("an unknown command version, a missing command and a missing proposal time are refused")
    func unknownVersionAndShape() throws {
        let machine = StateMachine()
        var newer = try Caravan_V1_StateCommand(serializedBytes: try Entries.put("a", ["v": "1"]))
        newer.version = 2
        var unversioned = newer
        unversioned.version = 0
        var empty = Caravan_V1_StateCommand()
        empty.version = StateCommands.currentVersion
        empty.proposedAt = Google_Protobuf_Timestamp(date: Entries.time)
        var timeless = newer
        timeless.version = StateCommands.currentVersion
        timeless.clearProposedAt()

        let results = machine.applyAll(try [newer, unversioned, empty, timeless].map { try $0.serializedBytes() })
        #expect(
            results[0].refusal
                == CaravanError(
                    .unimplemented, "entry 1 has state command version 2; this server applies only version 1"))
        #expect(results[1].refusal?.code == .unimplemented)
        #expect(results[2].refusal?.code == .failedPrecondition)
        #expect(results[2].refusal?.message.hasPrefix("entry 3 carries a command this server does not know") == true)
        #expect(results[3].refusal == .invalidArgument("entry 4 has no proposed_at; nothing applied"))
        #expect(machine.variables.count == 0)
        #expect(machine.lastAppliedIndex == 4)
    }

    @Test("a committed entry with invalid input is refused by the state machine too")
    func invalidInputInLog() throws {
        let machine = StateMachine()
        let results = machine.applyAll([try Entries.put("/bad", ["k": "v"]), try Entries.put("ok", [:])])
        #expect(results[0].refusal?.code == .invalidArgument)
        #expect(results[0].refusal?.message.contains("\"/bad\"") == true)
        #expect(results[1].refusal?.message == "variable \"ok\" has no items; give at least one KEY=VALUE")
        #expect(machine.variables.count == 0)
    }

    @Test("an entry at or below the last applied index is not applied again")
    func replayRefused() throws {
        let machine = StateMachine()
        machine.applyAll([try Entries.put("a", ["v": "1"]), try Entries.put("a", ["v": "2"])])
        let result = machine.apply(entryData: try Entries.put("a", ["v": "old"]), index: 2)
        #expect(result.refusal?.code == .internalError)
        #expect(machine.variables.variable(path: "a", namespace: "")?.items == ["v": "2"])
        #expect(machine.lastAppliedIndex == 2)

        machine.markApplied(index: 9)
        machine.markApplied(index: 3)
        #expect(machine.lastAppliedIndex == 9)
    }

    @Test("results name codes as gRPC does, and a refusal reads back as the same error")
    func resultCodes() {
        let error = CaravanError.failedPrecondition("cas error")
        let result = Caravan_V1_StateCommandResult.refused(error)
        #expect(result.error.code == "FAILED_PRECONDITION")
        #expect(result.refusal == error)
        #expect(Caravan_V1_StateCommandResult.applied.refusal == nil)
        #expect(StatusCodeName.code(named: "INTERNAL") == .internalError)
        #expect(StatusCodeName.code(named: "SOMETHING_NEW") == .unknown)
    }
}
