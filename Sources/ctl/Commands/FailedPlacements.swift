import CaravanProto
import Scheduler

/// Placement failures of several task groups, as `nomad job run` and `nomad eval status` print them.
enum FailedPlacements {
    /// `Task Group "db" (failed to place 2 allocations):` followed by `  * reason` lines, groups sorted by name.
    static func lines(_ failures: [String: Caravan_V1_AllocMetric], indent: String = "") -> [String] {
        failures.sorted(by: { $0.key < $1.key }).flatMap { group, metric in
            let failed = DisplayText.count(Int(metric.coalescedFailures) + 1, "allocation")
            let header = "\(indent)Task Group \"\(group)\" (failed to place \(failed)):"
            return [header] + PlacementFailureText.lines(for: metric).map { "\(indent)  * \($0)" }
        }
    }

    /// The line printed when the scheduler parked the remainder in a blocked evaluation.
    static func blockedLine(_ blockedEvalID: String, verbose: Bool = false) -> String {
        let id = DisplayText.shortID(blockedEvalID, verbose: verbose)
        return "Evaluation \"\(id)\" waiting for additional capacity to place remainder"
    }
}
