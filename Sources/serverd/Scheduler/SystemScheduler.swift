import CaravanProto
import SwiftProtobuf

/// Schedules system jobs: one allocation of each group on every ready, eligible node that passes
/// feasibility. Filtered nodes are skipped silently; nodes without room count as placement failures.
///
/// With an `update` block, destructive updates roll: `max_parallel` nodes per evaluation, and a follow-up
/// evaluation `stagger` later takes the next batch (Nomad's rolling update of system jobs; no deployment).
enum SystemScheduler {
    static let ineligibleDescription = "alloc not needed as node is no longer eligible"

    static func schedule(context: PlanContext, allocations: [Caravan_V1_Allocation]) -> Caravan_V1_Plan {
        let job = context.job
        var outcome = PlanOutcome()
        let groupNames = Set(job.taskGroups.map(\.name))
        for allocation in allocations where !allocation.isTerminal && !groupNames.contains(allocation.taskGroup) {
            context.stop(allocation, description: "alloc not needed as task group was removed")
        }
        let pool = job.nodePool.isEmpty ? "default" : job.nodePool
        let datacenters = DatacenterMatcher(job.datacenters)
        let candidates = context.state.schedulableNodes(pool: pool).filter { datacenters.matches($0.datacenter) }
        var available: [String: Int32] = [:]
        for node in candidates { available[node.datacenter, default: 0] += 1 }

        for group in job.taskGroups {
            let feasibility = GroupFeasibility(job: job, group: group, checker: context.checker)
            var updates = Caravan_V1_DesiredUpdates()
            var covered: Set<String> = []
            var destructive: [Caravan_V1_Allocation] = []
            let mine = allocations.filter { $0.taskGroup == group.name }
            for allocation in mine.sorted(by: { $0.id < $1.id }) where !allocation.isTerminal {
                guard let node = context.node(id: allocation.nodeID), node.status != .down else {
                    context.stop(allocation, description: Reconciler.lostDescription, clientStatus: .lost)
                    updates.stop += 1
                    continue
                }
                if allocation.desiredTransition.migrate {
                    context.stop(allocation, description: Reconciler.migrateDescription)
                    updates.migrate += 1
                    continue
                }
                if node.hasDrainStrategy {
                    // Drained last, when the drainer marks it; until then it runs as it is, and a draining
                    // node never gets a replacement or an update placed on it.
                    covered.insert(node.id)
                    updates.ignore += 1
                    continue
                }
                let inScope =
                    node.poolName == pool && job.datacenters.contains(where: { Glob.matches($0, node.datacenter) })
                if !inScope || feasibility.failure(on: node) != nil {
                    context.stop(allocation, description: ineligibleDescription)
                    updates.stop += 1
                    continue
                }
                guard covered.insert(node.id).inserted else {
                    context.stop(allocation, description: Reconciler.notNeededDescription)
                    updates.stop += 1
                    continue
                }
                switch UpdateKind.of(allocation, job: job, group: group, state: context.state) {
                case .unchanged:
                    updates.ignore += 1
                case .inPlace:
                    var updated = allocation
                    updated.jobVersion = job.version
                    updated.evalID = context.evaluation.id
                    updated.clearJob()
                    context.updateInPlace(updated)
                    updates.inPlaceUpdate += 1
                case .destructive:
                    destructive.append(allocation)
                }
            }
            let batch = rollingBatch(destructive, group: group)
            updates.destructiveUpdate += UInt64(batch.count)
            updates.ignore += UInt64(destructive.count - batch.count)
            if batch.count < destructive.count {
                let stagger = group.update.hasStagger ? group.update.stagger.timeInterval : 30
                outcome.rollingFollowup = max(outcome.rollingFollowup ?? 0, stagger)
            }
            let finished = Set(
                mine.filter { $0.isTerminal && $0.clientStatus == .complete && $0.desiredStatus == .run }
                    .filter { $0.jobVersion == job.version }.map(\.nodeID))
            var placer = Placer(context: context, group: group, available: available)
            for previous in batch {
                guard let node = context.node(id: previous.nodeID) else { continue }
                context.stop(previous, description: Reconciler.updateDescription)
                if !placer.place(on: node, previous: previous) { context.unstop(previous) }
            }
            for node in candidates where !covered.contains(node.id) && !finished.contains(node.id) {
                if feasibility.failure(on: node) != nil { continue }
                if placer.place(on: node, previous: nil) { updates.place += 1 }
            }
            outcome.updates[group.name] = updates
            outcome.queued[group.name] = placer.failures
            if placer.failures > 0 {
                var metric = placer.metric
                metric.coalescedFailures = placer.failures - 1
                outcome.failures[group.name] = metric
            }
        }
        return outcome.finish(context: context, priority: job.priority)
    }

    /// The destructive updates this evaluation makes: all of them without an `update` block (or with
    /// `max_parallel = 0`), else the first `max_parallel` by node id.
    static func rollingBatch(_ destructive: [Caravan_V1_Allocation], group: Caravan_V1_TaskGroup)
        -> [Caravan_V1_Allocation]
    {
        guard group.hasUpdate, group.update.hasMaxParallel, group.update.maxParallel > 0 else { return destructive }
        let ordered = destructive.sorted { ($0.nodeID, $0.id) < ($1.nodeID, $1.id) }
        return Array(ordered.prefix(Int(group.update.maxParallel)))
    }

    /// Fits one group onto specific nodes, accumulating one metric over every node it tried.
    private struct Placer {
        let context: PlanContext
        let group: Caravan_V1_TaskGroup
        var metric = Caravan_V1_AllocMetric()
        var failures: Int32 = 0

        init(context: PlanContext, group: Caravan_V1_TaskGroup, available: [String: Int32]) {
            self.context = context
            self.group = group
            metric.nodesAvailable = available
        }

        mutating func place(on node: Caravan_V1_Node, previous: Caravan_V1_Allocation?) -> Bool {
            metric.nodesEvaluated += 1
            let usage = context.usage(of: node)
            switch Fit.check(group: group, node: node, usage: usage, random: &context.random) {
            case .exhausted(let dimension):
                metric.nodesExhausted += 1
                metric.dimensionExhausted[dimension, default: 0] += 1
                failures += 1
                return false
            case .fits(let ports):
                var placement = Caravan_V1_AllocMetric()
                placement.nodesAvailable = metric.nodesAvailable
                placement.nodesEvaluated = 1
                var meta = Caravan_V1_NodeScoreMeta()
                meta.nodeID = node.id
                let binpack = Scoring.binpack(node: node, usage: usage, group: group)
                meta.scores = ["binpack": binpack]
                meta.normScore = binpack
                placement.scores = [meta]
                let name = Reconciler.name(job: context.job.id, group: group.name, index: 0)
                let allocation = AllocationFactory.make(
                    context: context, group: group, name: name, node: node, ports: ports, metric: placement,
                    previous: previous, rescheduleDelay: nil)
                context.place(allocation)
                return true
            }
        }
    }
}
