import CaravanProto

/// Evaluates the node-local constraint operands (everything except distinct_hosts and distinct_property,
/// which depend on where other allocations are).
///
/// Compiled regular expressions are cached per instance, so one scheduling pass compiles each pattern once.
final class ConstraintChecker {
    private var regexes: [String: Regex<AnyRegexOutput>?] = [:]

    /// The text recorded in `AllocMetric.constraint_filtered` for a failed constraint.
    static func key(lTarget: String, operand: String, rTarget: String) -> String {
        "\(lTarget) \(operand) \(rTarget)".trimmingSpaces()
    }

    /// Whether the operand is one that depends on other allocations rather than on the node alone.
    static func isPlacementDependent(_ operand: String) -> Bool {
        operand == "distinct_hosts" || operand == "distinct_property"
    }

    /// True when `node` satisfies the constraint (affinities use the same rules).
    func matches(lTarget: String, operand: String, rTarget: String, node: Caravan_V1_Node) -> Bool {
        let left = NodeAttributes.resolve(lTarget, on: node)
        switch operand {
        case "is_set": return left != nil
        case "is_not_set": return left == nil
        default: break
        }
        guard let left, let right = NodeAttributes.resolve(rTarget, on: node) else { return false }
        switch operand {
        case "=", "==", "is", "": return left == right
        case "!=", "not": return left != right
        case "<", "<=", ">", ">=": return compare(left, right, operand)
        case "regexp": return matchesRegex(left, pattern: right)
        case "version", "semver": return VersionConstraint.satisfies(left, right)
        case "set_contains", "set_contains_all":
            let have = Self.set(left)
            return Self.set(right).allSatisfy { have.contains($0) }
        case "set_contains_any":
            let have = Self.set(left)
            return Self.set(right).contains { have.contains($0) }
        default: return false
        }
    }

    private func compare(_ left: String, _ right: String, _ operand: String) -> Bool {
        if let lhs = Double(left), let rhs = Double(right) {
            switch operand {
            case "<": return lhs < rhs
            case "<=": return lhs <= rhs
            case ">": return lhs > rhs
            default: return lhs >= rhs
            }
        }
        switch operand {
        case "<": return left < right
        case "<=": return left <= right
        case ">": return left > right
        default: return left >= right
        }
    }

    private func matchesRegex(_ text: String, pattern: String) -> Bool {
        let compiled: Regex<AnyRegexOutput>?
        if let cached = regexes[pattern] {
            compiled = cached
        } else {
            compiled = try? Regex(pattern)
            regexes[pattern] = .some(compiled)
        }
        guard let compiled else { return false }
        return text.contains(compiled)
    }

    private static func set(_ text: String) -> Set<String> {
        Set(text.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty })
    }
}
