import CaravanProto

/// Renders `ctl eval status` the way `nomad eval status` does.
enum EvalFormatter {
    static func detail(_ evaluation: Caravan_V1_Evaluation, verbose: Bool = false) -> String {
        let failed = !evaluation.failedTgAllocs.isEmpty
        var text = KeyValueTable.render([
            ("ID", DisplayText.shortID(evaluation.id, verbose: verbose)),
            ("Create Time", DisplayText.time(evaluation.createTime)),
            ("Status", StatusNames.evaluation(evaluation.status)),
            ("Status Description", evaluation.statusDescription.isEmpty ? "-" : evaluation.statusDescription),
            ("Type", evaluation.type),
            ("TriggeredBy", evaluation.triggeredBy),
            ("Job ID", evaluation.jobID),
            ("Priority", "\(evaluation.priority)"),
            ("Placement Failures", "\(failed)"),
        ])
        guard failed else { return text }
        text += "\n\nFailed Placements\n" + FailedPlacements.lines(evaluation.failedTgAllocs).joined(separator: "\n")
        if !evaluation.blockedEval.isEmpty {
            text += "\n\n" + FailedPlacements.blockedLine(evaluation.blockedEval, verbose: verbose)
        }
        return text
    }
}
