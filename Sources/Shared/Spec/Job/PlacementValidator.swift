import CaravanProto

extension JobValidator {
    /// The operators `Constraint.operand` and `Affinity.operand` may hold (see jobspec.proto).
    static let operands: [String] = [
        "=", "!=", ">", ">=", "<", "<=", "regexp", "version", "semver", "set_contains", "set_contains_any",
        "distinct_hosts", "distinct_property", "is_set", "is_not_set",
    ]

    mutating func validatePlacement(
        _ constraints: [Caravan_V1_Constraint], _ affinities: [Caravan_V1_Affinity], _ spreads: [Caravan_V1_Spread],
        owner: String
    ) {
        for (index, constraint) in constraints.enumerated() {
            validateTarget(
                constraint.lTarget, constraint.rTarget, constraint.operand, kind: "constraint",
                path: JobSourceMap.child(owner, "constraint", index))
        }
        for (index, affinity) in affinities.enumerated() {
            let path = JobSourceMap.child(owner, "affinity", index)
            validateTarget(affinity.lTarget, affinity.rTarget, affinity.operand, kind: "affinity", path: path)
            if affinity.weight == 0 || !(-100...100).contains(affinity.weight) {
                error(
                    "affinity weight must be between -100 and 100 and not 0, but it is \(affinity.weight)", path,
                    "weight")
            }
        }
        for (index, spread) in spreads.enumerated() {
            let path = JobSourceMap.child(owner, "spread", index)
            if spread.attribute.isEmpty {
                missing("a spread block needs an attribute, e.g. \"${node.datacenter}\"", path, "attribute")
            }
            if !(0...100).contains(spread.weight) {
                error("spread weight must be between 0 and 100, but it is \(spread.weight)", path, "weight")
            }
            var seen = Set<String>()
            var total = 0
            for (targetIndex, target) in spread.targets.enumerated() {
                let targetPath = JobSourceMap.child(path, "target", targetIndex)
                if !seen.insert(target.value).inserted {
                    error("spread target \(quoted(target.value)) is listed twice", targetPath)
                }
                if target.percent > 100 {
                    error(
                        "spread target percent must be between 0 and 100, but it is \(target.percent)", targetPath,
                        "percent")
                }
                total += Int(target.percent)
            }
            if total > 100 {
                error("spread target percentages add up to \(total), more than 100", path)
            }
        }
    }

    mutating func validateTarget(_ left: String, _ right: String, _ operand: String, kind: String, path: String) {
        guard Self.operands.contains(operand) else {
            let key = sources.ranges[path + "#operator"] != nil ? "operator" : "operand"
            error(
                "invalid \(kind) operator \(quoted(operand)); expected one of: "
                    + Self.operands.joined(separator: ", "), path, key)
            return
        }
        switch operand {
        case "distinct_hosts":
            break
        case "distinct_property", "is_set", "is_not_set":
            if left.isEmpty {
                missing("a \(kind) with operator \(quoted(operand)) needs an attribute", path, "attribute")
            }
        default:
            if left.isEmpty { missing("a \(kind) needs an attribute, e.g. \"${attr.kernel.name}\"", path, "attribute") }
            if right.isEmpty { missing("a \(kind) with operator \(quoted(operand)) needs a value", path, "value") }
        }
    }
}
