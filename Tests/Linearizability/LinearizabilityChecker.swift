/// Decides whether a recorded concurrent history is linearizable with respect to a model.
///
/// The search is Wing & Gong's, with Lowe's memo of visited configurations (the approach of Porcupine), run on
/// each partition the model splits the history into. Soundness comes first: a linearizable history is never
/// rejected; when the budget runs out the answer is `.unknown`, never a guess.
public enum LinearizabilityChecker {
    public static func check<Model: LinearizabilityModel>(
        _ history: [RecordedOperation<Model.Input, Model.Output>],
        model: Model,
        budget: CheckBudget = CheckBudget()
    ) -> LinearizabilityResult {
        if let malformed = history.first(where: { op in op.returnTime.map { $0 < op.invokeTime } ?? false }) {
            let returned = malformed.returnTime.map { String($0) } ?? "∞"
            return .notLinearizable(
                LinearizabilityFailure(
                    partition: "history", operationCount: history.count, longestPrefix: 0, lastLinearized: [],
                    state: model.describe(model.initial()),
                    blocked: "client \(malformed.clientID) [\(malformed.invokeTime), \(returned)] "
                        + "\(model.describe(malformed.input, malformed.output)) returns before it was invoked",
                    inFlight: []))
        }
        var meter = BudgetMeter(budget)
        for partition in model.partition(history) {
            switch search(partition, model: model, meter: &meter) {
            case .linearizable:
                continue
            case .notLinearizable(let failure):
                return .notLinearizable(failure)
            case .budgetExhausted:
                let reason = meter.exhaustion ?? "budget exhausted"
                return .unknown(reason: "\(reason) while checking \(partition.label)")
            }
        }
        return .linearizable
    }

    /// A quick search that never chains pending operations settles most partitions; only when it fails after
    /// leaving some chain out does the complete search run.
    private static func search<Model: LinearizabilityModel>(
        _ partition: HistoryPartition<Model.Input, Model.Output>, model: Model, meter: inout BudgetMeter
    ) -> PartitionSearch<Model>.Outcome {
        var quick = PartitionSearch(model: model, partition: partition, chainsPending: false)
        let outcome = quick.run(meter: &meter)
        if case .notLinearizable = outcome, quick.leftOutChains {
            var complete = PartitionSearch(model: model, partition: partition)
            return complete.run(meter: &meter)
        }
        return outcome
    }
}
