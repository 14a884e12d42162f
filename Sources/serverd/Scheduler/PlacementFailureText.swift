import CaravanProto

/// Human-readable reasons a placement failed, for `ctl job status` and `ctl eval status`.
public enum PlacementFailureText {
    /// Constraint-filter keys that already read as a reason; any other key is a constraint expression.
    private static let selfDescribing = ["missing driver", "host volume", "network mode"]

    /// One line per reason, sorted.
    public static func lines(for metric: Caravan_V1_AllocMetric) -> [String] {
        var lines: [String] = []
        if metric.nodesEvaluated == 0 {
            lines.append("No nodes were eligible for evaluation")
        }
        for (key, count) in metric.constraintFiltered where count > 0 {
            let reason = selfDescribing.contains(where: { key.hasPrefix($0) }) ? key : "constraint \(key)"
            lines.append("\(nodes(count)) excluded by \(reason)")
        }
        for (dimension, count) in metric.dimensionExhausted where count > 0 {
            lines.append("Dimension \(dimension) exhausted on \(nodes(count))")
        }
        return lines.sorted()
    }

    private static func nodes(_ count: Int32) -> String {
        count == 1 ? "1 node" : "\(count) nodes"
    }
}
