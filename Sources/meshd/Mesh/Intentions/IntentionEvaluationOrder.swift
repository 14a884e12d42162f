import CaravanProto

/// The order in which intentions are evaluated: the first one whose names match a connection decides it.
///
/// Higher precedence first. Within equal precedence a deny comes before an intention with L7 permissions, which comes
/// before an allow, so a pair defined twice is never decided by the more permissive definition. Source, destination
/// and ID break the remaining ties so every meshd replica sends proxies the same list.
public enum IntentionEvaluationOrder {
    /// Whether `lhs` is evaluated before `rhs`.
    public static func precedes(_ lhs: Caravan_V1_Intention, _ rhs: Caravan_V1_Intention) -> Bool {
        let left = IntentionPrecedence.value(of: lhs)
        let right = IntentionPrecedence.value(of: rhs)
        if left != right { return left > right }
        let leftRank = permissiveness(lhs)
        let rightRank = permissiveness(rhs)
        if leftRank != rightRank { return leftRank < rightRank }
        if lhs.sourceName != rhs.sourceName { return lhs.sourceName < rhs.sourceName }
        if lhs.destinationName != rhs.destinationName { return lhs.destinationName < rhs.destinationName }
        return lhs.id < rhs.id
    }

    /// `intentions` in evaluation order.
    public static func sorted(_ intentions: [Caravan_V1_Intention]) -> [Caravan_V1_Intention] {
        intentions.sorted(by: precedes)
    }

    /// 0 for deny (or no usable action, which is treated as deny), 1 for L7 permissions, 2 for allow.
    static func permissiveness(_ intention: Caravan_V1_Intention) -> Int {
        if !intention.permissions.isEmpty { return 1 }
        return intention.action == .allow ? 2 : 0
    }
}
