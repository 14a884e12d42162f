import CaravanProto

/// Renders `ctl job history` the way `nomad job history` does: one block per version, newest first, with
/// Version, Stable and Submit Date, and with -p what the version changed, drawn like a `job plan` diff.
enum JobHistoryFormatter {
    /// Every version in the order given; `diffs[i]` (when present) is versions[i] against versions[i+1].
    static func render(_ versions: [Caravan_V1_Job], diffs: [Caravan_V1_JobDiff]) -> String {
        versions.enumerated().map { position, job in
            version(job, diff: diffs.indices.contains(position) ? diffs[position] : nil)
        }.joined(separator: "\n\n")
    }

    /// One version's block; the Diff row only when a diff is given.
    static func version(_ job: Caravan_V1_Job, diff: Caravan_V1_JobDiff?) -> String {
        var rows = [
            ("Version", "\(job.version)"),
            ("Stable", "\(job.stable)"),
            ("Submit Date", DisplayText.time(job.submitTime)),
        ]
        guard let diff else { return KeyValueTable.render(rows) }
        rows.append(("Diff", ""))
        let table = KeyValueTable.render(rows)
        // The Diff row's value is the diff itself, on the lines after it.
        let header = table.hasSuffix(" ") ? String(table.dropLast()) : table
        return header + "\n" + diffLines(diff, jobID: job.id).joined(separator: "\n")
    }

    /// The diff as `job plan` draws it, without plan counts (a history diff has none).
    static func diffLines(_ diff: Caravan_V1_JobDiff, jobID: String) -> [String] {
        guard diff.type != .none else { return ["(no changes)"] }
        return JobPlanFormatter.diffLines(jobID: jobID, plan: .with { $0.diff = diff })
    }

    /// The version asked for with -version and the diff against the version before it, or nil when not kept.
    static func select(
        _ version: UInt64, from versions: [Caravan_V1_Job], diffs: [Caravan_V1_JobDiff]
    ) -> (job: Caravan_V1_Job, diff: Caravan_V1_JobDiff?)? {
        guard let position = versions.firstIndex(where: { $0.version == version }) else { return nil }
        return (versions[position], diffs.indices.contains(position) ? diffs[position] : nil)
    }
}
