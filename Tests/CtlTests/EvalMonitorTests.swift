import CaravanProto
import Synchronization
import Testing

@testable import CtlCommands

@Suite("Evaluation monitor")
struct EvalMonitorTests {
    @Test("a complete evaluation lists the allocations it created and exits 0")
    func placed() {
        let evaluation = Fixture.evaluation(status: .complete, createIndex: 10)
        let allocations = [
            Fixture.alloc("0f1e2d3c-0000-4000-8000-00000000000a", createIndex: 10),
            Fixture.alloc("9e8d7c6b-0000-4000-8000-00000000000b", createIndex: 4),
            Fixture.alloc("11111111-0000-4000-8000-00000000000c", createIndex: 10, desired: .stop),
        ]
        let outcome = EvalMonitorReport.finished(evaluation, firstStatus: .pending, allocations: allocations)
        #expect(outcome.exitStatus == 0)
        #expect(
            outcome.lines == [
                "    Allocation \"9e8d7c6b\" modified: node \"a1b2c3d4\", group \"web\"",
                "    Allocation \"0f1e2d3c\" created: node \"a1b2c3d4\", group \"web\"",
                "    Evaluation status changed: \"pending\" -> \"complete\"",
                "==> Evaluation \"5a1b2c3d\" finished with status \"complete\"",
            ])
    }

    @Test("placement failures list each group's reasons, name the blocked evaluation and exit 2")
    func failures() {
        let evaluation = Fixture.evaluation(
            status: .complete, failures: ["db": Fixture.volumeAndMemoryMetric(coalesced: 0)], blocked: Fixture.blockedID
        )
        let outcome = EvalMonitorReport.finished(evaluation, firstStatus: .complete, allocations: [])
        #expect(outcome.exitStatus == 2)
        #expect(
            outcome.lines == [
                "==> Evaluation \"5a1b2c3d\" finished with status \"complete\" but failed to place all allocations:",
                "    Task Group \"db\" (failed to place 1 allocation):",
                "      * 2 nodes excluded by host volume mysql",
                "      * Dimension memory exhausted on 3 nodes",
                "    Evaluation \"67d9e5c8\" waiting for additional capacity to place remainder",
            ])
    }

    @Test("a failed evaluation without placement failures exits 1 with its description")
    func failed() {
        var evaluation = Fixture.evaluation(status: .failed)
        evaluation.statusDescription = "maximum attempts reached (5)"
        let outcome = EvalMonitorReport.finished(evaluation, firstStatus: .failed, allocations: [])
        #expect(outcome.exitStatus == 1)
        #expect(
            outcome.lines == [
                "==> Evaluation \"5a1b2c3d\" finished with status \"failed\": maximum attempts reached (5)"
            ])
    }

    @Test("the monitor blocks on the last index it saw until the evaluation leaves pending")
    func polls() async throws {
        let source = ScriptedSource(answers: [
            (Fixture.evaluation(status: .pending, createIndex: 7), 7),
            (Fixture.evaluation(status: .pending, createIndex: 7), 7),
            (Fixture.evaluation(status: .complete, createIndex: 7), 9),
        ])
        source.allocations = [Fixture.alloc("0f1e2d3c-0000-4000-8000-00000000000a", createIndex: 9)]
        let pauses = Counter()
        let monitor = EvalMonitor(source: source, pause: { pauses.increment() })
        var printed: [String] = []
        let status = try await monitor.run(evaluationID: "5a1b") { printed.append($0) }
        #expect(status == 0)
        #expect(source.askedIndexes == [0, 7, 7])
        #expect(source.askedIDs == ["5a1b", Fixture.evalID, Fixture.evalID])
        #expect(pauses.value == 1)
        #expect(
            printed == [
                "    Evaluation triggered by job \"web\" (job-register)",
                "    Allocation \"0f1e2d3c\" created: node \"a1b2c3d4\", group \"web\"",
                "    Evaluation status changed: \"pending\" -> \"complete\"",
                "==> Evaluation \"5a1b2c3d\" finished with status \"complete\"",
            ])
    }

    @Test("the lines printed after registering name the evaluation and the job modify index")
    func registered() {
        let response = Caravan_V1_RegisterJobResponse.with {
            $0.evalID = Fixture.evalID
            $0.jobModifyIndex = 12
        }
        #expect(
            JobRunText.registered(jobID: "web", response: response) == [
                "==> Evaluation \"\(Fixture.evalID)\" created for job \"web\"",
                "    Job Modify Index: 12",
            ])
    }
}

/// Answers `evaluation` calls from a script, recording what was asked.
final class ScriptedSource: EvaluationSource {
    var answers: [(Caravan_V1_Evaluation, UInt64)]
    var allocations: [Caravan_V1_AllocationListStub] = []
    var askedIndexes: [UInt64] = []
    var askedIDs: [String] = []

    init(answers: [(Caravan_V1_Evaluation, UInt64)]) { self.answers = answers }

    func evaluation(_ id: String, after index: UInt64) async throws -> (Caravan_V1_Evaluation, UInt64) {
        askedIDs.append(id)
        askedIndexes.append(index)
        guard !answers.isEmpty else { throw CancellationError() }
        return answers.removeFirst()
    }

    func allocations(of evaluationID: String) async throws -> [Caravan_V1_AllocationListStub] {
        allocations
    }
}

/// Counts calls from a `@Sendable` closure.
final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func increment() { count.withLock { $0 += 1 } }
}
