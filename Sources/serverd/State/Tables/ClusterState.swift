import CaravanProto
import Scheduler
import SwiftProtobuf

/// The orchestrator's tables: jobs (with their versions), evaluations, allocations and nodes, with the indexes
/// the scheduler and the watches need.
///
/// A value type made of copy-on-write shards: a copy is a consistent point-in-time snapshot that costs almost
/// nothing to take and never blocks the state machine, which keeps applying entries to its own copy.
public struct ClusterState: Sendable {
    /// How many versions of a job are kept (Nomad keeps six); allocations of older versions are replaced
    /// destructively on the next update because their task group can no longer be compared.
    public static let jobVersionsKept = 6

    public internal(set) var jobs = ShardedTable<JobRecord>()
    public internal(set) var evals = ShardedTable<Caravan_V1_Evaluation>()
    public internal(set) var allocs = ShardedTable<Caravan_V1_Allocation>()
    public internal(set) var nodes = ShardedTable<Caravan_V1_Node>()
    /// Every node sorted by id, kept up to date on each node write: schedulers read the whole list for every
    /// evaluation, and building and sorting 5,000 nodes each time was their largest cost.
    public private(set) var sortedNodes: [Caravan_V1_Node] = []
    /// The nodes that accept placements, per node pool, sorted by id (what every evaluation starts from).
    public private(set) var schedulableByPool: [String: [Caravan_V1_Node]] = [:]
    /// What each node's non-terminal allocations hold, kept as allocations change: the scheduler examines a
    /// dozen nodes per placement and would otherwise add up every allocation of each.
    var nodeUsage = ShardedTable<NodeUsage>()
    /// Rollouts of job versions, by deployment id, and the deployment ids of each job.
    public internal(set) var deployments = ShardedTable<Caravan_V1_Deployment>()
    var deploymentsByJob = ShardedTable<Set<String>>()
    /// Deployments still rolling out: the leader's deployment watcher looks at them five times a second, not at
    /// every deployment ever made.
    var rollingOutIDs: Set<String> = []
    var evalsByJob = ShardedTable<Set<String>>()
    var allocsByNode = ShardedTable<Set<String>>()
    var allocsByJob = ShardedTable<Set<String>>()
    /// The keys of periodic (parent) jobs: the leader's launcher looks at them every second, not at every job.
    var periodicJobKeys: Set<String> = []
    /// The last tick each periodic job was launched for, by job key, so no tick launches twice.
    var periodicLaunches: [String: Google_Protobuf_Timestamp] = [:]
    /// Service instances, intentions, config entries and the Connect CA.
    public internal(set) var mesh = MeshTables()
    /// The Raft index at which each table last changed, for blocking queries (`min_index`).
    public internal(set) var tableIndexes: [StateTable: UInt64] = [:]
    /// What the entry being applied changed; drained by the state machine after each entry, never snapshotted.
    var journal: StateChange?

    public init() {}

    static func jobKey(namespace: String, id: String) -> String {
        "\(namespace.isEmpty ? "default" : namespace)\u{0}\(id)"
    }

    public func job(namespace: String, id: String) -> Caravan_V1_Job? {
        jobs[Self.jobKey(namespace: namespace, id: id)]?.current
    }

    public func jobVersions(namespace: String, id: String) -> [Caravan_V1_Job] {
        jobs[Self.jobKey(namespace: namespace, id: id)]?.versions ?? []
    }

    public func evaluations(namespace: String, jobID: String) -> [Caravan_V1_Evaluation] {
        let ids = evalsByJob[Self.jobKey(namespace: namespace, id: jobID)] ?? []
        return ids.sorted().compactMap { evals[$0] }
    }

    public func allocations(namespace: String, jobID: String) -> [Caravan_V1_Allocation] {
        let ids = allocsByJob[Self.jobKey(namespace: namespace, id: jobID)] ?? []
        return ids.sorted().compactMap { allocs[$0] }
    }

    public func allocations(nodeID: String) -> [Caravan_V1_Allocation] {
        let ids = allocsByNode[nodeID] ?? []
        return ids.sorted().compactMap { allocs[$0] }
    }

    /// What the node's non-terminal allocations hold; empty for a node without any.
    public func usage(nodeID: String) -> NodeUsage {
        nodeUsage[nodeID] ?? NodeUsage()
    }

    /// An allocation with the job version it runs attached, as clients and `ctl alloc status` want it.
    public func allocationWithJob(_ alloc: Caravan_V1_Allocation) -> Caravan_V1_Allocation {
        var full = alloc
        if let job = job(of: alloc) { full.job = job }
        return full
    }

    /// The job version an allocation was placed with (nil once that version is no longer kept).
    public func job(of alloc: Caravan_V1_Allocation) -> Caravan_V1_Job? {
        jobVersions(namespace: alloc.namespace, id: alloc.jobID).last(where: { $0.version == alloc.jobVersion })
    }

    /// Whether the allocation's task group defines a connect service named `service` (what a workload token and a
    /// leaf certificate may be issued for).
    public func definesConnectService(_ alloc: Caravan_V1_Allocation, named service: String) -> Bool {
        guard let group = job(of: alloc)?.taskGroups.first(where: { $0.name == alloc.taskGroup }) else { return false }
        return group.services.contains { $0.name == service && $0.hasConnect }
    }

    /// Writes an allocation (replacing `old`, its previous version, if any) and keeps the node's usage right.
    mutating func storeAllocation(_ alloc: Caravan_V1_Allocation, replacing old: Caravan_V1_Allocation?) {
        if let old, !old.isTerminal {
            nodeUsage.update(old.nodeID) { usage in
                var changed = usage ?? NodeUsage()
                changed.remove(old)
                usage = changed
            }
        }
        if !alloc.isTerminal {
            nodeUsage.update(alloc.nodeID) { usage in
                var changed = usage ?? NodeUsage()
                changed.add(alloc)
                usage = changed
            }
        }
        allocs[alloc.id] = alloc
        syncCatalog(for: alloc)
    }

    /// Writes a node to the table and to the sorted list.
    mutating func storeNode(_ node: Caravan_V1_Node) {
        nodes[node.id] = node
        let low = Self.position(of: node.id, in: sortedNodes)
        if low < sortedNodes.count && sortedNodes[low].id == node.id {
            let previous = sortedNodes[low]
            sortedNodes[low] = node
            Self.remove(previous, from: &schedulableByPool)
        } else {
            sortedNodes.insert(node, at: low)
        }
        if node.acceptsPlacements { Self.insert(node, into: &schedulableByPool) }
        syncCatalog(nodeID: node.id)
    }

    private static func position(of id: String, in list: [Caravan_V1_Node]) -> Int {
        var low = 0
        var high = list.count
        while low < high {
            let middle = (low + high) / 2
            if list[middle].id < id { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private static func remove(_ node: Caravan_V1_Node, from lists: inout [String: [Caravan_V1_Node]]) {
        guard var list = lists[node.poolName] else { return }
        let index = position(of: node.id, in: list)
        guard index < list.count, list[index].id == node.id else { return }
        list.remove(at: index)
        lists[node.poolName] = list
    }

    private static func insert(_ node: Caravan_V1_Node, into lists: inout [String: [Caravan_V1_Node]]) {
        var list = lists[node.poolName] ?? []
        lists[node.poolName] = nil
        let index = position(of: node.id, in: list)
        if index < list.count, list[index].id == node.id {
            list[index] = node
        } else {
            list.insert(node, at: index)
        }
        lists[node.poolName] = list
    }

    mutating func touch(_ table: StateTable, at index: UInt64) {
        tableIndexes[table] = index
        journal?.tables.insert(table)
    }

    /// The highest index at which any of `tables` changed.
    public func index(of tables: [StateTable]) -> UInt64 {
        tables.map { tableIndexes[$0] ?? 0 }.max() ?? 0
    }
}

/// A table of the cluster state, as named in snapshots and watched by blocking queries.
public enum StateTable: String, Sendable, CaseIterable, Hashable {
    case jobs, evals, allocs, nodes, variables, deployments
    case catalog, intentions, configEntries, connectCA
}

/// A job as registered now, with the versions kept (oldest first; the last is the current one).
public struct JobRecord: Sendable {
    public var current: Caravan_V1_Job
    public var versions: [Caravan_V1_Job]
}
