import CaravanProto

// TEMPORARY (replaced by the scheduler work before commit).
public struct PlanVerdict: Sendable, Equatable {
    public var acceptedNodes: [String]
    public var rejectedNodes: [String: String]
    public var plan: Caravan_V1_Plan
    public var isFullyAccepted: Bool { rejectedNodes.isEmpty }
}
public enum PlanVerifier {
    public static func evaluate(plan: Caravan_V1_Plan, state: any SchedulerState) -> PlanVerdict {
        PlanVerdict(acceptedNodes: [], rejectedNodes: [:], plan: plan)
    }
}
