import CaravanProto
import Foundation
import Scheduler
import State

/// What the drainer does next: the allocations to mark for migration (with their jobs, one evaluation each)
/// and the draining nodes that have nothing left to drain.
struct DrainStep: Equatable, Sendable {
    /// A job by namespace and id.
    struct JobRef: Hashable, Comparable, Sendable {
        var namespace: String
        var id: String

        static func < (lhs: JobRef, rhs: JobRef) -> Bool {
            (lhs.namespace, lhs.id) < (rhs.namespace, rhs.id)
        }
    }

    /// Allocations to mark `desired_transition.migrate`, sorted by id.
    var migrate: [String] = []
    /// The jobs of those allocations, sorted.
    var jobs: [JobRef] = []
    /// Draining nodes whose drain is complete, sorted by id.
    var complete: [String] = []

    var isEmpty: Bool { migrate.isEmpty && complete.isEmpty }
}

/// Decides the drainer's next step from the state alone (Nomad's drainer semantics), so the leader duty that
/// carries it out keeps nothing between ticks and a new leader resumes a drain where the log left it.
///
/// On each draining node, before its deadline: a service group's allocations are marked as its `migrate`
/// block's `max_parallel` allows, counting the group's migrations still in flight on every draining node;
/// batch allocations are left to finish; system allocations are marked last, once everything else on the node
/// has stopped (never with `ignore_system_jobs`). At the deadline (or with `force`) everything left is marked.
/// A node is done when every allocation it has (system ones aside when ignored) has stopped.
enum DrainPlanner {
    static func next(_ cluster: ClusterState, now: Date) -> DrainStep {
        let draining = cluster.sortedNodes.filter(\.hasDrainStrategy)
        guard !draining.isEmpty else { return DrainStep() }
        var budget = MigrationBudget(cluster: cluster, drainingNodes: Set(draining.map(\.id)))
        var marked: [Caravan_V1_Allocation] = []
        var step = DrainStep()
        for node in draining {
            let chosen = choose(on: node, in: cluster, now: now, budget: &budget)
            marked += chosen
            if chosen.isEmpty && isDone(node, in: cluster) { step.complete.append(node.id) }
        }
        step.migrate = marked.map(\.id).sorted()
        step.jobs = Set(marked.map { DrainStep.JobRef(namespace: $0.namespace, id: $0.jobID) }).sorted()
        return step
    }

    /// The allocations of `node` to mark now.
    static func choose(
        on node: Caravan_V1_Node, in cluster: ClusterState, now: Date, budget: inout MigrationBudget
    ) -> [Caravan_V1_Allocation] {
        let strategy = node.drainStrategy
        let ignoreSystem = strategy.spec.ignoreSystemJobs
        let allocations = cluster.allocations(nodeID: node.id)
        let unmarked = allocations.filter { !$0.isTerminal && !$0.desiredTransition.migrate }
        let pastDeadline = strategy.spec.force || (strategy.hasForceDeadline && strategy.forceDeadline.date <= now)
        if pastDeadline {
            return unmarked.filter { !(ignoreSystem && jobType(of: $0, in: cluster) == .system) }
        }
        var chosen: [Caravan_V1_Allocation] = []
        let services = unmarked.filter { ![.batch, .system].contains(jobType(of: $0, in: cluster)) }
        let groups = Dictionary(grouping: services) {
            MigrationBudget.GroupKey(namespace: $0.namespace, jobID: $0.jobID, group: $0.taskGroup)
        }
        for key in groups.keys.sorted() {
            let candidates = (groups[key] ?? []).sorted { ($0.name, $0.id) < ($1.name, $1.id) }
            chosen += candidates.prefix(budget.take(key, wanted: candidates.count))
        }
        let othersStopped = allocations.allSatisfy { jobType(of: $0, in: cluster) == .system || hasStopped($0) }
        if !ignoreSystem && othersStopped {
            chosen += unmarked.filter { jobType(of: $0, in: cluster) == .system }
        }
        return chosen
    }

    /// Every allocation on the node has stopped, system ones aside when the drain ignores them.
    static func isDone(_ node: Caravan_V1_Node, in cluster: ClusterState) -> Bool {
        let ignoreSystem = node.drainStrategy.spec.ignoreSystemJobs
        return cluster.allocations(nodeID: node.id).allSatisfy {
            hasStopped($0) || (ignoreSystem && jobType(of: $0, in: cluster) == .system)
        }
    }

    /// Told to stop and no longer running on its client (a client never starts an allocation that arrives
    /// stopped, so it stays pending).
    static func hasStopped(_ allocation: Caravan_V1_Allocation) -> Bool {
        allocation.isTerminal && allocation.clientStatus != .running
    }

    /// The allocation's job type; a job gone from the state counts as a service job.
    static func jobType(of allocation: Caravan_V1_Allocation, in cluster: ClusterState) -> Caravan_V1_JobType {
        cluster.job(namespace: allocation.namespace, id: allocation.jobID)?.type ?? .service
    }
}
