import CaravanProto

/// The node-local feasibility rules of one task group: drivers, constraints, host volumes and network mode.
///
/// Each check is a pure function of the node, so results are cached per node for the scheduling pass. The
/// first failing rule names the node's exclusion in the placement metric.
final class GroupFeasibility {
    let group: Caravan_V1_TaskGroup
    private let drivers: [String]
    private let constraints: [Caravan_V1_Constraint]
    private let checker: ConstraintChecker
    private var cache: [String: String?] = [:]

    init(job: Caravan_V1_Job, group: Caravan_V1_TaskGroup, checker: ConstraintChecker) {
        self.group = group
        self.checker = checker
        var seen: Set<String> = []
        drivers = group.tasks.map(\.driver).filter { seen.insert($0).inserted }
        constraints = Self.combinedConstraints(job: job, group: group).filter {
            !ConstraintChecker.isPlacementDependent($0.operand)
        }
    }

    /// Job, group and task constraints, in that order.
    static func combinedConstraints(job: Caravan_V1_Job, group: Caravan_V1_TaskGroup) -> [Caravan_V1_Constraint] {
        job.constraints + group.constraints + group.tasks.flatMap(\.constraints)
    }

    /// nil when the node passes, else the `constraint_filtered` key of the first failing rule.
    func failure(on node: Caravan_V1_Node) -> String? {
        if let cached = cache[node.id] { return cached }
        let result = evaluate(node)
        cache[node.id] = .some(result)
        return result
    }

    private func evaluate(_ node: Caravan_V1_Node) -> String? {
        for driver in drivers {
            guard let info = node.drivers[driver], info.detected, info.healthy else {
                return "missing driver \"\(driver)\""
            }
        }
        for constraint in constraints
        where !checker.matches(
            lTarget: constraint.lTarget, operand: constraint.operand, rTarget: constraint.rTarget, node: node)
        {
            return ConstraintChecker.key(
                lTarget: constraint.lTarget, operand: constraint.operand, rTarget: constraint.rTarget)
        }
        for name in group.volumes.keys.sorted() {
            guard let request = group.volumes[name], request.type == "host" || request.type.isEmpty else {
                continue
            }
            guard let volume = node.hostVolumes[request.source] else {
                return "host volume \(request.source)"
            }
            if volume.readOnly && !request.readOnly {
                return "host volume \(request.source) is read-only"
            }
        }
        let mode = group.networkMode
        let modes = node.networkModes.isEmpty ? ["host"] : node.networkModes
        if !modes.contains(mode) {
            return "network mode \(mode)"
        }
        return nil
    }
}
