import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Linearizability
import TestSupport
import Testing

typealias VariableInput = KeyValueInput<String, String>
typealias VariableOutput = KeyValueOutput<String>

@Suite("Linearizability of variables under faults", .serialized, .timeLimit(.minutes(5)))
struct RaftLinearizabilityTests {
    @Test("concurrent put, get and check-and-set across servers stay linearizable while the leader is killed")
    func historyIsLinearizable() async throws {
        let cluster = try ServerCluster(size: 3)
        defer { cluster.killAllNow() }
        try cluster.startAll()
        let leader = try await cluster.waitForLeader()
        let recorder = HistoryRecorder<VariableInput, VariableOutput>()
        let keys = ["lin/a", "lin/b", "lin/c", "lin/d"]
        let completed = Locked(0)

        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<4 {
                group.addTask {
                    var random = SystemRandomNumberGenerator()
                    for step in 0..<60 {
                        let key = keys[Int.random(in: 0..<keys.count, using: &random)]
                        let server = Int.random(in: 0..<3, using: &random)
                        let roll = Int.random(in: 0..<10, using: &random)
                        let value = "c\(client)-\(step)"
                        if roll < 4 {
                            await Self.put(
                                cluster, server: server, key: key, value: value, recorder: recorder, client: client)
                        } else if roll < 8 {
                            await Self.get(cluster, server: server, key: key, recorder: recorder, client: client)
                        } else {
                            // Check-and-set against the version this client last saw.
                            let seen = await Self.get(
                                cluster, server: server, key: key, recorder: recorder, client: client)
                            await Self.cas(
                                cluster, server: server, key: key, expected: seen ?? 0, value: value,
                                recorder: recorder,
                                client: client)
                        }
                        completed.withLock { $0 += 1 }
                    }
                }
            }
            group.addTask {
                while completed.withLock({ $0 }) < 60 { try await Task.sleep(for: .milliseconds(20)) }
                await cluster.kill(leader)
                while completed.withLock({ $0 }) < 150 { try await Task.sleep(for: .milliseconds(20)) }
                try cluster.start(leader)
            }
            try await group.waitForAll()
        }

        let history = recorder.operations(unresolved: .unknown)
        let succeeded = history.filter {
            if case .ok = $0.output { return true }
            if case .found = $0.output { return true }
            return false
        }
        #expect(succeeded.count >= 100, "too few operations succeeded: \(succeeded.count)\n\(cluster.logs)")
        let result = LinearizabilityChecker.check(history, model: KeyValueModel<String, String>())
        #expect(result == .linearizable, "\(result)")
    }

    static func put(
        _ cluster: ServerCluster, server: Int, key: String, value: String,
        recorder: HistoryRecorder<VariableInput, VariableOutput>, client: Int
    ) async {
        let ticket = recorder.invoke(client: client, .put(key, value))
        do {
            let version = try await cluster.put(on: server, path: key, value: value)
            recorder.complete(ticket, .ok(version: version))
        } catch {
            // A failed write may still have been committed: its outcome is unknown.
            recorder.abandon(ticket, .unknown)
        }
    }

    /// Records a linearizable get; returns the version seen, if any.
    @discardableResult
    static func get(
        _ cluster: ServerCluster, server: Int, key: String,
        recorder: HistoryRecorder<VariableInput, VariableOutput>, client: Int
    ) async -> UInt64? {
        let ticket = recorder.invoke(client: client, .get(key))
        do {
            let variable = try await cluster.withVariables(server) { variables in
                try await variables.get(Caravan_V1_GetVariableRequest.with { $0.path = key }).variable
            }
            recorder.complete(ticket, .found(variable.items["v"] ?? "", version: variable.modifyIndex))
            return variable.modifyIndex
        } catch let error as CaravanError where error.code == .notFound {
            recorder.complete(ticket, .notFound)
            return 0
        } catch {
            recorder.abandon(ticket, .unknown)
            return nil
        }
    }

    static func cas(
        _ cluster: ServerCluster, server: Int, key: String, expected: UInt64, value: String,
        recorder: HistoryRecorder<VariableInput, VariableOutput>, client: Int
    ) async {
        let ticket = recorder.invoke(client: client, .cas(key, expectedVersion: expected, value))
        do {
            let version = try await cluster.put(on: server, path: key, value: value, checkIndex: expected)
            recorder.complete(ticket, .ok(version: version))
        } catch let error as CaravanError where error.code == .failedPrecondition {
            recorder.complete(ticket, .conflict)
        } catch {
            recorder.abandon(ticket, .unknown)
        }
    }
}
