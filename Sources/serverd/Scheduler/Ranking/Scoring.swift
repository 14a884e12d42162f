import CaravanProto
import Foundation

/// Ranks a feasible node for one placement: binpack, job anti-affinity, affinities, spread and the
/// reschedule penalty, each in its own key, averaged over the components that apply.
struct Scoring {
    let group: Caravan_V1_TaskGroup
    private let affinities: [Caravan_V1_Affinity]
    private let spreads: [Caravan_V1_Spread]

    init(job: Caravan_V1_Job, group: Caravan_V1_TaskGroup) {
        self.group = group
        affinities = job.affinities + group.affinities + group.tasks.flatMap(\.affinities)
        spreads = job.spreads + group.spreads
    }

    /// Whether every candidate must be examined (soft preferences are only meaningful across all nodes).
    var needsAllNodes: Bool { !affinities.isEmpty || !spreads.isEmpty }

    struct Result {
        var components: [String: Double]
        var normalized: Double
    }

    func score(node: Caravan_V1_Node, usage: NodeUsage, penaltyNode: String?, context: PlanContext) -> Result {
        var components: [String: Double] = [:]
        components["binpack"] = Self.binpack(node: node, usage: usage, group: group)
        let collisions = context.jobAllocations(onNode: node.id, group: group.name)
        if collisions > 0 {
            let desired = Double(max(1, group.desiredCount))
            components["job-anti-affinity"] = -Double(collisions + 1) / desired
        }
        if !affinities.isEmpty, let affinity = affinityScore(node: node, context: context), affinity != 0 {
            components["node-affinity"] = affinity
        }
        if !spreads.isEmpty {
            let spread = spreadScore(node: node, context: context)
            if spread != 0 { components["allocation-spread"] = spread }
        }
        if let penaltyNode, penaltyNode == node.id {
            components["node-reschedule-penalty"] = -1
        }
        let normalized = components.values.reduce(0, +) / Double(components.count)
        return Result(components: components, normalized: normalized)
    }

    /// Best-fit: the fuller the node after placing, the higher the score (0...1).
    static func binpack(node: Caravan_V1_Node, usage: NodeUsage, group: Caravan_V1_TaskGroup) -> Double {
        let freeCPU = freeFraction(used: usage.cpuMhz + group.cpuAsk, capacity: node.cpuCapacity)
        let freeMemory = freeFraction(used: usage.memoryMb + group.memoryAsk, capacity: node.memoryCapacity)
        let raw = 20 - (pow(10, freeCPU) + pow(10, freeMemory))
        return min(18, max(0, raw)) / 18
    }

    private static func freeFraction(used: Int64, capacity: Int64) -> Double {
        guard capacity > 0 else { return 0 }
        return min(1, max(0, 1 - Double(used) / Double(capacity)))
    }

    private func affinityScore(node: Caravan_V1_Node, context: PlanContext) -> Double? {
        let totalWeight = affinities.reduce(0.0) { $0 + abs(Double($1.weight)) }
        guard totalWeight > 0 else { return nil }
        var matched = 0.0
        for affinity in affinities
        where context.checker.matches(
            lTarget: affinity.lTarget, operand: affinity.operand, rTarget: affinity.rTarget, node: node)
        {
            matched += Double(affinity.weight)
        }
        return matched / totalWeight
    }

    private func spreadScore(node: Caravan_V1_Node, context: PlanContext) -> Double {
        let weightSum = spreads.reduce(0) { $0 + max(0, Int($1.weight)) }
        var total = 0.0
        for spread in spreads {
            let weight =
                weightSum > 0 ? Double(max(0, spread.weight)) / Double(weightSum) : 1 / Double(spreads.count)
            guard let value = NodeAttributes.resolve(spread.attribute, on: node) else {
                total -= weight
                continue
            }
            let counts = context.counts(attribute: spread.attribute, group: group.name)
            if spread.targets.isEmpty {
                total += Self.evenBoost(counts: counts, value: value) * weight
            } else {
                total += targetBoost(spread: spread, counts: counts, value: value) * weight
            }
        }
        return total
    }

    /// Towards each value's share: positive while the value has fewer allocations than its target.
    private func targetBoost(spread: Caravan_V1_Spread, counts: [String: Int], value: String) -> Double {
        let percent: Double
        if let target = spread.targets.first(where: { $0.value == value }) {
            percent = Double(target.percent)
        } else {
            percent = 100 - spread.targets.reduce(0.0) { $0 + Double($1.percent) }
        }
        let desired = percent / 100 * Double(group.desiredCount)
        guard desired > 0 else { return -1 }
        let used = Double(counts[value, default: 0] + 1)
        return (desired - used) / desired
    }

    /// Without targets: favour values with fewer allocations than the busiest value.
    static func evenBoost(counts: [String: Int], value: String) -> Double {
        guard let maxCount = counts.values.max(), maxCount > 0, let minCount = counts.values.min() else { return 0 }
        let used = counts[value, default: 0]
        if used < maxCount { return Double(maxCount - used) / Double(maxCount) }
        if minCount == maxCount { return 0 }
        return -Double(used - minCount) / Double(maxCount)
    }
}
