import CaravanProto

/// distinct_hosts and distinct_property: constraints that depend on where the job's other allocations are,
/// including the ones this plan has already placed.
struct DistinctConstraints {
    private struct Rule {
        /// nil for a job-level rule (counts every group of the job).
        var group: String?
        var operand: String
        var lTarget: String
        var limit: Int
    }

    private let rules: [Rule]

    var isEmpty: Bool { rules.isEmpty }

    init(job: Caravan_V1_Job, group: Caravan_V1_TaskGroup) {
        var rules: [Rule] = []
        let scoped =
            job.constraints.map { (nil as String?, $0) }
            + (group.constraints + group.tasks.flatMap(\.constraints)).map { (group.name as String?, $0) }
        for (scope, constraint) in scoped where ConstraintChecker.isPlacementDependent(constraint.operand) {
            if constraint.operand == "distinct_hosts" {
                if constraint.rTarget.lowercased() == "false" { continue }
                rules.append(Rule(group: scope, operand: constraint.operand, lTarget: "", limit: 1))
            } else {
                let limit = Int(constraint.rTarget.trimmingSpaces()) ?? 1
                rules.append(
                    Rule(group: scope, operand: constraint.operand, lTarget: constraint.lTarget, limit: max(1, limit)))
            }
        }
        self.rules = rules
    }

    /// nil when placing one more allocation of the group on `node` keeps every rule, else the metric key.
    func failure(on node: Caravan_V1_Node, context: PlanContext) -> String? {
        for rule in rules {
            if rule.operand == "distinct_hosts" {
                if context.jobAllocations(onNode: node.id, group: rule.group) > 0 { return "distinct_hosts" }
                continue
            }
            let key = "distinct_property \(rule.lTarget)"
            guard let value = NodeAttributes.resolve(rule.lTarget, on: node) else { return key }
            let counts = context.counts(attribute: rule.lTarget, group: rule.group)
            if counts[value, default: 0] >= rule.limit { return key }
        }
        return nil
    }
}
