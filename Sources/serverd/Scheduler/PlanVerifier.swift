import CaravanProto

/// What the plan applier may commit of a plan, judged against the latest state.
public struct PlanVerdict: Sendable, Equatable {
    /// Nodes whose new or updated allocations still fit.
    public var acceptedNodes: [String]
    /// Node id to why its part of the plan was refused.
    public var rejectedNodes: [String: String]
    /// The plan with refused nodes' allocations removed; without evaluation updates unless fully accepted.
    public var plan: Caravan_V1_Plan

    /// True when nothing was refused and the plan can commit as computed.
    public var isFullyAccepted: Bool { rejectedNodes.isEmpty }
}

/// Re-checks a plan against fresher state before it is committed (optimistic concurrency, as Nomad's plan
/// applier does): two workers may plan on the same snapshot and claim the same capacity.
public enum PlanVerifier {
    public static func evaluate(plan: Caravan_V1_Plan, state: any SchedulerState) -> PlanVerdict {
        var accepted: [String] = []
        var rejected: [String: String] = [:]
        for nodeID in plan.nodeAllocation.keys.sorted() {
            if let reason = rejection(nodeID: nodeID, plan: plan, state: state) {
                rejected[nodeID] = reason
            } else {
                accepted.append(nodeID)
            }
        }
        var trimmed = plan
        if !rejected.isEmpty {
            trimmed.clearEvalUpdate()
            trimmed.createdEvals = []
            if plan.allAtOnce {
                trimmed.nodeAllocation = [:]
                trimmed.nodeUpdate = [:]
                accepted = []
            } else {
                for nodeID in rejected.keys { trimmed.nodeAllocation[nodeID] = nil }
            }
        }
        return PlanVerdict(acceptedNodes: accepted, rejectedNodes: rejected, plan: trimmed)
    }

    /// nil when the node's part of the plan fits, else the reason it does not.
    static func rejection(nodeID: String, plan: Caravan_V1_Plan, state: any SchedulerState) -> String? {
        guard let node = state.node(id: nodeID) else { return "node does not exist" }
        guard node.status == .ready else { return "node is not ready" }
        let stopped = Set(
            (plan.nodeUpdate[nodeID]?.stops ?? []).filter { $0.desiredStatus == .stop || $0.desiredStatus == .evict }
                .map(\.allocID))
        let incoming = plan.nodeAllocation[nodeID]?.allocations ?? []
        let replaced = Set(incoming.map(\.id))
        var usage: NodeUsage
        if let kept = state.usage(nodeID: nodeID) {
            usage = kept.reserving(node.reserved.reservedHostPorts)
            // Only stops and in-place updates (allocations the state already holds) change what is kept; new
            // allocations have no create index yet, so most plans skip reading the node's allocations.
            let updatesExisting = incoming.contains { $0.createIndex != 0 }
            if !stopped.isEmpty || updatesExisting {
                for allocation in state.allocations(nodeID: nodeID)
                where !allocation.isTerminal && (stopped.contains(allocation.id) || replaced.contains(allocation.id)) {
                    usage.remove(allocation)
                }
            }
        } else {
            usage = NodeUsage(reservedPorts: node.reserved.reservedHostPorts)
            for allocation in state.allocations(nodeID: nodeID)
            where !allocation.isTerminal && !stopped.contains(allocation.id) && !replaced.contains(allocation.id) {
                usage.add(allocation)
            }
        }
        for allocation in incoming where !allocation.isTerminal { usage.add(allocation) }
        if usage.cpuMhz > node.cpuCapacity { return "cpu exhausted" }
        if usage.memoryMb > node.memoryCapacity { return "memory exhausted" }
        if let port = usage.duplicatePorts.min() { return "port \(port) already in use" }
        if node.bridge.capacity > 0, usage.bridgeAllocations > Int(node.bridge.capacity) {
            return "bridge addresses exhausted"
        }
        return nil
    }
}
