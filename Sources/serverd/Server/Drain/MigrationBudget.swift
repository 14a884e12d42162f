import CaravanProto
import Scheduler
import State

/// How many more allocations of each task group may start migrating: the group's `migrate.max_parallel`
/// (default 1) minus its migrations in flight.
///
/// A migration is in flight from the moment the drainer marks an allocation on a draining node until its
/// replacement reports healthy (`deployment_status.healthy`, which clients set from the `migrate` block's
/// `min_healthy_time`/`healthy_deadline`). A marked allocation without a replacement stays in flight while the
/// group still wants one (fewer live allocations than its count), so a replacement that cannot be placed holds
/// the group back until the deadline, while a job stopped or scaled down meanwhile does not.
struct MigrationBudget {
    struct GroupKey: Hashable, Comparable, Sendable {
        var namespace: String
        var jobID: String
        var group: String

        static func < (lhs: GroupKey, rhs: GroupKey) -> Bool {
            (lhs.namespace, lhs.jobID, lhs.group) < (rhs.namespace, rhs.jobID, rhs.group)
        }
    }

    /// Replacement chains longer than this are not followed (a guard against a cycle in bad state).
    static let maxChain = 64

    let cluster: ClusterState
    let drainingNodes: Set<String>
    private var remaining: [GroupKey: Int] = [:]

    init(cluster: ClusterState, drainingNodes: Set<String>) {
        self.cluster = cluster
        self.drainingNodes = drainingNodes
    }

    /// Takes up to `wanted` slots of the group's budget and returns how many it got.
    mutating func take(_ key: GroupKey, wanted: Int) -> Int {
        let available = remaining[key] ?? initialBudget(key)
        let granted = max(0, min(wanted, available))
        remaining[key] = available - granted
        return granted
    }

    func initialBudget(_ key: GroupKey) -> Int {
        let job = cluster.job(namespace: key.namespace, id: key.jobID)
        let group = job?.taskGroups.first { $0.name == key.group }
        let maxParallel = group.map(Self.maxParallel) ?? 1
        return maxParallel - inFlight(key, job: job, group: group)
    }

    /// Marked allocations of the group on draining nodes whose replacement is not yet healthy.
    func inFlight(_ key: GroupKey, job: Caravan_V1_Job?, group: Caravan_V1_TaskGroup?) -> Int {
        let allocations = cluster.allocations(namespace: key.namespace, jobID: key.jobID)
            .filter { $0.taskGroup == key.group }
        let live = allocations.filter { !$0.isTerminal && !$0.desiredTransition.migrate }.count
        let wantsReplacement = job.map { !$0.stop } == true && group.map { live < Self.count(of: $0) } == true
        return allocations.filter { allocation in
            guard allocation.desiredTransition.migrate, drainingNodes.contains(allocation.nodeID) else { return false }
            guard let replacement = latestReplacement(of: allocation) else { return wantsReplacement }
            return !(Self.isHealthy(replacement))
        }.count
    }

    /// The newest allocation in the chain of replacements that starts at `allocation`, or nil when none exists.
    func latestReplacement(of allocation: Caravan_V1_Allocation) -> Caravan_V1_Allocation? {
        var latest: Caravan_V1_Allocation?
        var next = allocation.nextAllocation
        for _ in 0..<Self.maxChain {
            guard !next.isEmpty, let found = cluster.allocs[next] else { break }
            latest = found
            next = found.nextAllocation
        }
        return latest
    }

    static func isHealthy(_ allocation: Caravan_V1_Allocation) -> Bool {
        !allocation.isTerminal && allocation.deploymentStatus.hasHealthy && allocation.deploymentStatus.healthy
    }

    /// Nomad's default when the group has no `migrate` block or leaves `max_parallel` out.
    static func maxParallel(of group: Caravan_V1_TaskGroup) -> Int {
        group.hasMigrate && group.migrate.hasMaxParallel ? Int(group.migrate.maxParallel) : 1
    }

    static func count(of group: Caravan_V1_TaskGroup) -> Int {
        group.hasCount ? max(0, Int(group.count)) : 1
    }
}
