import CaravanProto
import Foundation

/// The mutable working set of one scheduling pass: the plan being built and everything derived from it.
///
/// Node usage, per-node counts of the job's allocations and per-attribute spread counts are computed on
/// first use and then kept up to date as the plan stops and places allocations, so a placement never scans
/// the cluster's allocations.
final class PlanContext {
    let state: any SchedulerState
    let evaluation: Caravan_V1_Evaluation
    let job: Caravan_V1_Job
    let now: Date
    var random: SeededRandom
    var plan = Caravan_V1_Plan()
    let checker = ConstraintChecker()
    /// The rollout of the job version being scheduled (read once from the state).
    private(set) lazy var rollout = Rollout(job: job, state: state)
    /// The deployment new allocations join (decided by DeploymentPlanner once every group is reconciled).
    var deployment: Caravan_V1_Deployment?

    private var nodes: [String: Caravan_V1_Node?] = [:]
    private var usage: [String: NodeUsage] = [:]
    private(set) var stoppedIDs: Set<String> = []
    /// Live allocations this plan stops, per node, to take out of the state's usage.
    private var stoppedByNode: [String: [Caravan_V1_Allocation]] = [:]
    private var newByNode: [String: [Caravan_V1_Allocation]] = [:]
    /// Live allocations of the job (existing and not stopped, or placed by this plan): id → (node, group).
    private var live: [String: (node: String, group: String)] = [:]
    private var perNode: [String: [String: Int]] = [:]
    private var propertyCounts: [PropertyKey: [String: Int]] = [:]

    struct PropertyKey: Hashable {
        /// nil counts the whole job.
        var group: String?
        var attribute: String
    }

    init(
        state: any SchedulerState, evaluation: Caravan_V1_Evaluation, job: Caravan_V1_Job, now: Date,
        seed: UInt64, existing: [Caravan_V1_Allocation]
    ) {
        self.state = state
        self.evaluation = evaluation
        self.job = job
        self.now = now
        // The evaluation id is folded in so two evaluations run with the same seed still get distinct ids.
        self.random = SeededRandom(seed: seed ^ SeededRandom.fnv1a(evaluation.id))
        for allocation in existing where !allocation.isTerminal {
            track(id: allocation.id, node: allocation.nodeID, group: allocation.taskGroup)
        }
    }

    func node(id: String) -> Caravan_V1_Node? {
        if let cached = nodes[id] { return cached }
        let found = state.node(id: id)
        nodes[id] = .some(found)
        return found
    }

    /// Usage of a node: state's non-terminal allocations, minus the plan's stops, plus the plan's placements.
    func usage(of node: Caravan_V1_Node) -> NodeUsage {
        if let cached = usage[node.id] { return cached }
        var total: NodeUsage
        if let kept = state.usage(nodeID: node.id) {
            total = kept.reserving(node.reserved.reservedHostPorts)
            for allocation in stoppedByNode[node.id] ?? [] { total.remove(allocation) }
        } else {
            total = NodeUsage(reservedPorts: node.reserved.reservedHostPorts)
            for allocation in state.allocations(nodeID: node.id)
            where !allocation.isTerminal && !stoppedIDs.contains(allocation.id) {
                total.add(allocation)
            }
        }
        for allocation in newByNode[node.id] ?? [] { total.add(allocation) }
        usage[node.id] = total
        return total
    }

    // MARK: Plan edits

    func stop(
        _ allocation: Caravan_V1_Allocation, description: String,
        clientStatus: Caravan_V1_AllocClientStatus = .unspecified
    ) {
        guard stoppedIDs.insert(allocation.id).inserted else { return }
        var stop = Caravan_V1_PlanAllocStop()
        stop.allocID = allocation.id
        stop.desiredStatus = .stop
        stop.desiredDescription = description
        stop.clientStatus = clientStatus
        plan.nodeUpdate[allocation.nodeID, default: Caravan_V1_PlanNodeStops()].stops.append(stop)
        if !allocation.isTerminal {
            usage[allocation.nodeID]?.remove(allocation)
            stoppedByNode[allocation.nodeID, default: []].append(allocation)
            untrack(id: allocation.id)
        }
    }

    /// Takes back the most recent stop of `allocation` (a destructive update whose replacement did not fit).
    func unstop(_ allocation: Caravan_V1_Allocation) {
        guard stoppedIDs.remove(allocation.id) != nil else { return }
        plan.nodeUpdate[allocation.nodeID]?.stops.removeAll { $0.allocID == allocation.id }
        if plan.nodeUpdate[allocation.nodeID]?.stops.isEmpty == true {
            plan.nodeUpdate[allocation.nodeID] = nil
        }
        if !allocation.isTerminal {
            usage[allocation.nodeID]?.add(allocation)
            stoppedByNode[allocation.nodeID]?.removeAll { $0.id == allocation.id }
            track(id: allocation.id, node: allocation.nodeID, group: allocation.taskGroup)
        }
    }

    func place(_ allocation: Caravan_V1_Allocation) {
        plan.nodeAllocation[allocation.nodeID, default: Caravan_V1_PlanNodeAllocations()].allocations.append(
            allocation)
        newByNode[allocation.nodeID, default: []].append(allocation)
        usage[allocation.nodeID]?.add(allocation)
        track(id: allocation.id, node: allocation.nodeID, group: allocation.taskGroup)
    }

    /// An in-place update keeps the allocation's id, node and resources.
    func updateInPlace(_ allocation: Caravan_V1_Allocation) {
        plan.nodeAllocation[allocation.nodeID, default: Caravan_V1_PlanNodeAllocations()].allocations.append(
            allocation)
    }

    // MARK: Where the job runs

    /// Live allocations of the job on a node, for one group or (nil) the whole job.
    func jobAllocations(onNode nodeID: String, group: String?) -> Int {
        guard let counts = perNode[nodeID] else { return 0 }
        if let group { return counts[group] ?? 0 }
        return counts.values.reduce(0, +)
    }

    /// Live allocations of the job (or one group) per value of a node attribute such as `${node.datacenter}`.
    func counts(attribute: String, group: String?) -> [String: Int] {
        let key = PropertyKey(group: group, attribute: attribute)
        if let cached = propertyCounts[key] { return cached }
        var counts: [String: Int] = [:]
        for entry in live.values where group == nil || entry.group == group {
            if let node = node(id: entry.node), let value = NodeAttributes.resolve(attribute, on: node) {
                counts[value, default: 0] += 1
            }
        }
        propertyCounts[key] = counts
        return counts
    }

    private func track(id: String, node nodeID: String, group: String) {
        guard live[id] == nil else { return }
        live[id] = (nodeID, group)
        perNode[nodeID, default: [:]][group, default: 0] += 1
        adjustProperties(node: nodeID, group: group, by: 1)
    }

    private func untrack(id: String) {
        guard let entry = live.removeValue(forKey: id) else { return }
        perNode[entry.node]?[entry.group, default: 0] -= 1
        adjustProperties(node: entry.node, group: entry.group, by: -1)
    }

    private func adjustProperties(node nodeID: String, group: String, by delta: Int) {
        guard !propertyCounts.isEmpty, let node = node(id: nodeID) else { return }
        for key in propertyCounts.keys where key.group == nil || key.group == group {
            if let value = NodeAttributes.resolve(key.attribute, on: node) {
                propertyCounts[key]?[value, default: 0] += delta
            }
        }
    }
}
