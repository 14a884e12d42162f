import CaravanProto

/// The read-only state a scheduler plans against: one consistent point in time.
///
/// serverd's state store hands workers an immutable copy-on-write view that conforms; tests use an in-memory
/// harness. Nothing here blocks or changes, so scheduling holds no lock while it runs.
public protocol SchedulerState {
    /// The Raft index this state reflects.
    var index: UInt64 { get }

    /// Every registered node, sorted by id (the scheduler then shuffles with its own seeded generator; a
    /// sorted start keeps plans reproducible from the seed without sorting thousands of nodes per evaluation).
    var nodes: [Caravan_V1_Node] { get }
    func node(id: String) -> Caravan_V1_Node?

    /// The nodes of `pool` that accept placements now (ready, eligible, not draining), sorted by id. Every
    /// evaluation starts from this list, so a state that keeps it saves filtering thousands of nodes each time.
    func schedulableNodes(pool: String) -> [Caravan_V1_Node]

    /// The job as currently registered (nil when it was purged).
    func job(namespace: String, id: String) -> Caravan_V1_Job?
    /// One stored version of a job (allocations record the version they run); nil when no longer kept.
    func job(namespace: String, id: String, version: UInt64) -> Caravan_V1_Job?

    /// Allocations of a job, terminal ones included, without their job attached.
    func allocations(namespace: String, jobID: String) -> [Caravan_V1_Allocation]
    /// Allocations placed on a node, terminal ones included, without their job attached.
    func allocations(nodeID: String) -> [Caravan_V1_Allocation]

    /// What the node's non-terminal allocations hold (reserved ports not included), when the state keeps it;
    /// nil makes the scheduler add up `allocations(nodeID:)` itself.
    func usage(nodeID: String) -> NodeUsage?

    /// The job's most recent deployment, whatever its status; nil when it never had one.
    func latestDeployment(namespace: String, jobID: String) -> Caravan_V1_Deployment?
    func deployment(id: String) -> Caravan_V1_Deployment?
}

extension SchedulerState {
    public func usage(nodeID: String) -> NodeUsage? { nil }

    public func latestDeployment(namespace: String, jobID: String) -> Caravan_V1_Deployment? { nil }
    public func deployment(id: String) -> Caravan_V1_Deployment? { nil }

    public func schedulableNodes(pool: String) -> [Caravan_V1_Node] {
        nodes.filter { $0.acceptsPlacements && $0.poolName == pool }
    }
}
