import CaravanProto
import Scheduler

/// What a read sees: the tables as of one applied index, read-only.
///
/// Reads get a view rather than the `StateMachine` so no reader can apply or restore. The tables are value
/// types, so making a view copies nothing until the machine next writes; a scheduler worker plans against a
/// view for as long as it likes without holding anything up.
public struct StateView: Sendable {
    /// The last Raft index the tables reflect.
    public let appliedIndex: UInt64
    public let variables: VariablesTable
    public let cluster: ClusterState

    public init(appliedIndex: UInt64, variables: VariablesTable, cluster: ClusterState = ClusterState()) {
        self.appliedIndex = appliedIndex
        self.variables = variables
        self.cluster = cluster
    }
}

extension StateView: SchedulerState {
    public var index: UInt64 { appliedIndex }

    public var nodes: [Caravan_V1_Node] { cluster.sortedNodes }

    public func node(id: String) -> Caravan_V1_Node? { cluster.nodes[id] }

    public func schedulableNodes(pool: String) -> [Caravan_V1_Node] { cluster.schedulableByPool[pool] ?? [] }

    public func job(namespace: String, id: String) -> Caravan_V1_Job? {
        cluster.job(namespace: namespace, id: id)
    }

    public func job(namespace: String, id: String, version: UInt64) -> Caravan_V1_Job? {
        cluster.jobVersions(namespace: namespace, id: id).last { $0.version == version }
    }

    public func allocations(namespace: String, jobID: String) -> [Caravan_V1_Allocation] {
        cluster.allocations(namespace: namespace, jobID: jobID)
    }

    public func allocations(nodeID: String) -> [Caravan_V1_Allocation] {
        cluster.allocations(nodeID: nodeID)
    }

    public func usage(nodeID: String) -> NodeUsage? {
        cluster.usage(nodeID: nodeID)
    }

    public func latestDeployment(namespace: String, jobID: String) -> Caravan_V1_Deployment? {
        cluster.latestDeployment(namespace: namespace, jobID: jobID)
    }

    public func deployment(id: String) -> Caravan_V1_Deployment? {
        cluster.deployment(id: id)
    }
}
