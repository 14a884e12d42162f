import CaravanProto

/// What `ctl job run` / `job stop` print once the evaluation they created has finished, and their exit status.
///
/// Pure: takes the evaluation as first seen, as finished, and the allocations it touched; the polling lives in
/// `EvalMonitor`.
enum EvalMonitorReport {
    /// Lines to print and the exit status: 0 all placed, 2 placement failures (as `nomad job run`), 1 failed.
    struct Outcome: Equatable, Sendable {
        var lines: [String]
        var exitStatus: Int32
    }

    /// The first line, printed as soon as the evaluation is read.
    static func started(_ evaluation: Caravan_V1_Evaluation) -> [String] {
        let trigger = evaluation.triggeredBy.isEmpty ? "" : " (\(evaluation.triggeredBy))"
        return ["    Evaluation triggered by job \"\(evaluation.jobID)\"\(trigger)"]
    }

    /// The placements, the status change, the result and any placement failures of a finished evaluation.
    static func finished(
        _ evaluation: Caravan_V1_Evaluation, firstStatus: Caravan_V1_EvaluationStatus,
        allocations: [Caravan_V1_AllocationListStub], verbose: Bool = false
    ) -> Outcome {
        var lines = allocationLines(evaluation, allocations: allocations, verbose: verbose)
        let status = StatusNames.evaluation(evaluation.status)
        if firstStatus != evaluation.status {
            lines.append("    Evaluation status changed: \"\(StatusNames.evaluation(firstStatus))\" -> \"\(status)\"")
        }
        let id = DisplayText.shortID(evaluation.id, verbose: verbose)
        if !evaluation.failedTgAllocs.isEmpty {
            lines.append(
                "==> Evaluation \"\(id)\" finished with status \"\(status)\" but failed to place all allocations:")
            lines += FailedPlacements.lines(evaluation.failedTgAllocs, indent: "    ")
            if !evaluation.blockedEval.isEmpty {
                lines.append("    " + FailedPlacements.blockedLine(evaluation.blockedEval, verbose: verbose))
            }
            return Outcome(lines: lines, exitStatus: 2)
        }
        if evaluation.status == .failed {
            let reason = evaluation.statusDescription.isEmpty ? "" : ": \(evaluation.statusDescription)"
            lines.append("==> Evaluation \"\(id)\" finished with status \"\(status)\"\(reason)")
            return Outcome(lines: lines, exitStatus: 1)
        }
        lines.append("==> Evaluation \"\(id)\" finished with status \"\(status)\"")
        return Outcome(lines: lines, exitStatus: 0)
    }

    /// One line per allocation the evaluation placed or changed, oldest first. As Nomad decides it: created
    /// before the evaluation means modified; otherwise created, unless it is being stopped (then not shown).
    static func allocationLines(
        _ evaluation: Caravan_V1_Evaluation, allocations: [Caravan_V1_AllocationListStub], verbose: Bool
    ) -> [String] {
        allocations.sorted { ($0.createIndex, $0.name) < ($1.createIndex, $1.name) }.compactMap { alloc in
            let verb: String
            if alloc.createIndex < evaluation.createIndex {
                verb = "modified"
            } else if alloc.desiredStatus == .run {
                verb = "created"
            } else {
                return nil
            }
            let id = DisplayText.shortID(alloc.id, verbose: verbose)
            let node = DisplayText.shortID(alloc.nodeID, verbose: verbose)
            return "    Allocation \"\(id)\" \(verb): node \"\(node)\", group \"\(alloc.taskGroup)\""
        }
    }
}
