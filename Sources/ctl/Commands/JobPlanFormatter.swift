import CaravanProto

/// Renders a `Jobs.Plan` answer the way `nomad job plan` does, and picks its exit status.
enum JobPlanFormatter {
    /// The whole report: job and group lines with their diffs, the scheduler dry-run and the check-index hint.
    static func render(jobID: String, file: String, plan: Caravan_V1_PlanJobResponse) -> String {
        var lines = diffLines(jobID: jobID, plan: plan)
        lines.append("")
        lines.append("Scheduler dry-run:")
        if plan.failedTgAllocs.isEmpty {
            lines.append("- All tasks successfully allocated.")
        } else {
            lines.append("- WARNING: Failed to place all allocations.")
            lines += FailedPlacements.lines(plan.failedTgAllocs, indent: "  ")
        }
        if plan.hasNextPeriodicLaunch {
            lines.append(
                "- If submitted now, next periodic launch would be at \(DisplayText.time(plan.nextPeriodicLaunch))")
        }
        if !plan.warnings.isEmpty {
            lines.append("")
            lines.append("Job Warnings:")
            lines += plan.warnings.map { "* \($0)" }
        }
        lines += [
            "",
            "Job Modify Index: \(plan.jobModifyIndex)",
            "To submit the job with version verification run:",
            "",
            "ctl job run -check-index \(plan.jobModifyIndex) \(file)",
            "",
            "When running the job with the check-index flag, the job will only be run if the",
            "job modify index given matches the server-side version. If the index has",
            "changed, another user has modified the job and the plan's results are",
            "potentially invalid.",
        ]
        return lines.joined(separator: "\n")
    }

    /// 1 when allocations would be created, destroyed, migrated or replaced, else 0 (in-place updates and
    /// ignores do not count), as `nomad job plan` decides.
    static func exitStatus(_ plan: Caravan_V1_PlanJobResponse) -> Int32 {
        let changes = plan.annotations.desiredTgUpdates.values.contains { updates in
            updates.place + updates.stop + updates.migrate + updates.destructiveUpdate + updates.canary
                + updates.preemptions > 0
        }
        return changes ? 1 : 0
    }

    /// "2 create, 1 destroy, 1 in-place update": non-zero counts, sorted by their name as Nomad sorts them.
    static func updateCounts(_ updates: Caravan_V1_DesiredUpdates) -> String {
        let named: [(String, UInt64)] = [
            ("canary", updates.canary), ("create", updates.place), ("create/destroy update", updates.destructiveUpdate),
            ("destroy", updates.stop), ("ignore", updates.ignore), ("in-place update", updates.inPlaceUpdate),
            ("migrate", updates.migrate), ("preempt", updates.preemptions),
        ]
        return named.filter { $0.1 > 0 }.sorted { $0.0 < $1.0 }.map { "\($0.1) \($0.0)" }.joined(separator: ", ")
    }

    /// The job line, then per task group its line with counts and, when the server sent a diff, what changed.
    static func diffLines(jobID: String, plan: Caravan_V1_PlanJobResponse) -> [String] {
        let desired = plan.annotations.desiredTgUpdates
        let diff = plan.hasDiff ? plan.diff : nil
        let jobMarker = diff.map { marker($0.type) } ?? marker(summing: Array(desired.values))
        var lines = ["\(prefixed(jobMarker))Job: \"\(jobID)\""]
        if let diff {
            lines += diff.fields.flatMap { fieldLines($0, indent: "") }
            lines += diff.objects.flatMap { objectLines($0, indent: "") }
        }
        let groupDiffs = Dictionary(
            diff?.taskGroups.map { ($0.name, $0) } ?? [], uniquingKeysWith: { first, _ in first })
        for name in Set(desired.keys).union(groupDiffs.keys).sorted() {
            let groupDiff = groupDiffs[name]
            let updates = desired[name]
            let groupMarker = groupDiff.map { marker($0.type) } ?? marker(summing: updates.map { [$0] } ?? [])
            let counts = updates.map(updateCounts) ?? legacyCounts(groupDiff?.updates ?? [:])
            let suffix = counts.isEmpty ? "" : " (\(counts))"
            lines.append("\(prefixed(groupMarker))Task Group: \"\(name)\"\(suffix)")
            guard let groupDiff else { continue }
            lines += groupDiff.fields.flatMap { fieldLines($0, indent: "") }
            lines += groupDiff.objects.flatMap { objectLines($0, indent: "") }
            for task in groupDiff.tasks where task.type != .none {
                let notes = task.annotations.isEmpty ? "" : " (\(task.annotations.joined(separator: ", ")))"
                lines.append("  \(prefixed(marker(task.type)))Task: \"\(task.name)\"\(notes)")
                lines += task.fields.flatMap { fieldLines($0, indent: "  ") }
                lines += task.objects.flatMap { objectLines($0, indent: "  ") }
            }
        }
        return lines
    }

    /// Counts from a diff's own `updates` map, for servers that fill that instead of the annotations.
    static func legacyCounts(_ updates: [String: UInt64]) -> String {
        updates.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
            .joined(separator: ", ")
    }

    /// "+", "-", "+/-" or "" for unchanged, as Nomad marks diffs.
    static func marker(_ type: Caravan_V1_DiffType) -> String {
        switch type {
        case .added: "+"
        case .deleted: "-"
        case .edited: "+/-"
        case .none, .unspecified, .UNRECOGNIZED: ""
        }
    }

    /// The marker when no diff was sent: "+" only creations, "-" only removals, "+/-" a mix or updates.
    static func marker(summing updates: [Caravan_V1_DesiredUpdates]) -> String {
        let creates = updates.reduce(0) { $0 + $1.place + $1.canary }
        let removes = updates.reduce(0) { $0 + $1.stop + $1.preemptions }
        let others = updates.reduce(0) { $0 + $1.migrate + $1.destructiveUpdate + $1.inPlaceUpdate }
        switch (creates > 0, removes > 0, others > 0) {
        case (true, false, false): return "+"
        case (false, true, false): return "-"
        case (false, false, false): return ""
        default: return "+/-"
        }
    }

    static func prefixed(_ marker: String) -> String {
        marker.isEmpty ? "" : marker + " "
    }

    static func fieldLines(_ field: Caravan_V1_FieldDiff, indent: String) -> [String] {
        let value: String
        switch field.type {
        case .added: value = "\"\(field.new)\""
        case .deleted: value = "\"\(field.old)\""
        case .edited: value = "\"\(field.old)\" => \"\(field.new)\""
        case .none, .unspecified, .UNRECOGNIZED: return []
        }
        let notes = field.annotations.isEmpty ? "" : " (\(field.annotations.joined(separator: ", ")))"
        return ["\(indent)  \(prefixed(marker(field.type)))\(field.name): \(value)\(notes)"]
    }

    static func objectLines(_ object: Caravan_V1_ObjectDiff, indent: String) -> [String] {
        guard object.type != .none else { return [] }
        var lines = ["\(indent)  \(prefixed(marker(object.type)))\(object.name) {"]
        lines += object.fields.flatMap { fieldLines($0, indent: indent + "  ") }
        lines += object.objects.flatMap { objectLines($0, indent: indent + "  ") }
        lines.append("\(indent)  }")
        return lines
    }
}
