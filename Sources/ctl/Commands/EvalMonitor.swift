import CaravanProto
import GRPCCore
import SwiftProtobuf

/// Where `EvalMonitor` reads evaluations from: the servers in `ctl`, a script of answers in tests.
protocol EvaluationSource {
    /// The evaluation, once the state index passes `index` (a blocking query) or the wait runs out; with the
    /// index the answer reflects.
    func evaluation(_ id: String, after index: UInt64) async throws -> (Caravan_V1_Evaluation, UInt64)
    /// The allocations the evaluation placed or updated.
    func allocations(of evaluationID: String) async throws -> [Caravan_V1_AllocationListStub]
}

/// Follows an evaluation until the scheduler is done with it, like `nomad job run` does, and prints the outcome.
struct EvalMonitor {
    var source: any EvaluationSource
    var verbose = false
    /// Pause before asking again when an answer brought nothing new, so a server that does not block (or a wait
    /// that ran out) does not turn the loop into a busy poll.
    var pause: @Sendable () async throws -> Void = { try await Task.sleep(for: .seconds(1)) }

    /// Prints progress through `emit` and returns the exit status (see `EvalMonitorReport.Outcome`).
    func run(evaluationID: String, emit: (String) -> Void) async throws -> Int32 {
        var (evaluation, index) = try await source.evaluation(evaluationID, after: 0)
        let firstStatus = evaluation.status
        EvalMonitorReport.started(evaluation).forEach(emit)
        while evaluation.status == .pending {
            try Task.checkCancellation()
            let seen = max(index, evaluation.modifyIndex)
            let next = try await source.evaluation(evaluation.id, after: seen)
            if max(next.1, next.0.modifyIndex) <= seen { try await pause() }
            (evaluation, index) = next
        }
        let allocations = try await source.allocations(of: evaluation.id)
        let outcome = EvalMonitorReport.finished(
            evaluation, firstStatus: firstStatus, allocations: allocations, verbose: verbose)
        outcome.lines.forEach(emit)
        return outcome.exitStatus
    }
}

/// Reads evaluations from the servers with blocking queries of up to `maxWait`.
struct ServerEvaluationSource<Transport: ClientTransport>: EvaluationSource {
    var client: GRPCClient<Transport>
    var maxWait: Google_Protobuf_Duration = .init(seconds: 5)

    func evaluation(_ id: String, after index: UInt64) async throws -> (Caravan_V1_Evaluation, UInt64) {
        var request = Caravan_V1_GetEvaluationRequest()
        request.evalID = id
        request.query.minIndex = index
        if index > 0 { request.query.maxWait = maxWait }
        let response = try await Caravan_V1_Evaluations.Client(wrapping: client).get(request)
        return (response.evaluation, response.meta.index)
    }

    func allocations(of evaluationID: String) async throws -> [Caravan_V1_AllocationListStub] {
        var request = Caravan_V1_ListEvaluationAllocationsRequest()
        request.evalID = evaluationID
        return try await Caravan_V1_Evaluations.Client(wrapping: client).allocations(request).allocations
    }
}
