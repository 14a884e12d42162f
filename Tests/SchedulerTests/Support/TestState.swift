import CaravanProto
import Scheduler

/// An in-memory SchedulerState for table-driven scheduler tests, able to apply plans to itself.
struct TestState: SchedulerState {
    var index: UInt64 = 1
    private var nodeOrder: [String] = []
    private var nodeByID: [String: Caravan_V1_Node] = [:]
    private var jobs: [String: Caravan_V1_Job] = [:]
    private var versions: [String: [UInt64: Caravan_V1_Job]] = [:]
    private var allocationOrder: [String] = []
    private(set) var allocationByID: [String: Caravan_V1_Allocation] = [:]

    var nodes: [Caravan_V1_Node] { nodeOrder.sorted().compactMap { nodeByID[$0] } }

    func node(id: String) -> Caravan_V1_Node? { nodeByID[id] }

    func job(namespace: String, id: String) -> Caravan_V1_Job? { jobs["\(namespace)/\(id)"] }

    func job(namespace: String, id: String, version: UInt64) -> Caravan_V1_Job? {
        versions["\(namespace)/\(id)"]?[version]
    }

    func allocations(namespace: String, jobID: String) -> [Caravan_V1_Allocation] {
        allocationOrder.compactMap { allocationByID[$0] }.filter { $0.namespace == namespace && $0.jobID == jobID }
    }

    func allocations(nodeID: String) -> [Caravan_V1_Allocation] {
        allocationOrder.compactMap { allocationByID[$0] }.filter { $0.nodeID == nodeID }
    }

    var allAllocations: [Caravan_V1_Allocation] { allocationOrder.compactMap { allocationByID[$0] } }

    mutating func add(_ node: Caravan_V1_Node) {
        if nodeByID[node.id] == nil { nodeOrder.append(node.id) }
        nodeByID[node.id] = node
        index += 1
    }

    mutating func update(node id: String, _ change: (inout Caravan_V1_Node) -> Void) {
        guard var node = nodeByID[id] else { return }
        change(&node)
        nodeByID[id] = node
        index += 1
    }

    mutating func remove(node id: String) {
        nodeByID[id] = nil
        nodeOrder.removeAll { $0 == id }
    }

    /// Registers (or updates) a job, keeping every version.
    mutating func upsert(_ job: Caravan_V1_Job) {
        let key = "\(job.namespace)/\(job.id)"
        jobs[key] = job
        versions[key, default: [:]][job.version] = job
        index += 1
    }

    mutating func forget(job: Caravan_V1_Job, version: UInt64) {
        versions["\(job.namespace)/\(job.id)"]?[version] = nil
    }

    mutating func delete(jobID: String, namespace: String = "default") {
        jobs["\(namespace)/\(jobID)"] = nil
    }

    mutating func add(_ allocation: Caravan_V1_Allocation) {
        if allocationByID[allocation.id] == nil { allocationOrder.append(allocation.id) }
        allocationByID[allocation.id] = allocation
        index += 1
    }

    mutating func update(alloc id: String, _ change: (inout Caravan_V1_Allocation) -> Void) {
        guard var allocation = allocationByID[id] else { return }
        change(&allocation)
        allocationByID[id] = allocation
        index += 1
    }

    /// Commits a plan as the leader would: stops, annotations, new and updated allocations.
    mutating func apply(_ plan: Caravan_V1_Plan) {
        for (_, stops) in plan.nodeUpdate {
            for stop in stops.stops {
                guard var allocation = allocationByID[stop.allocID] else { continue }
                if stop.desiredStatus != .unspecified {
                    allocation.desiredStatus = stop.desiredStatus
                    allocation.desiredDescription = stop.desiredDescription
                }
                if stop.clientStatus != .unspecified { allocation.clientStatus = stop.clientStatus }
                if !stop.followupEvalID.isEmpty { allocation.followupEvalID = stop.followupEvalID }
                allocationByID[stop.allocID] = allocation
            }
        }
        for nodeID in plan.nodeAllocation.keys.sorted() {
            for allocation in plan.nodeAllocation[nodeID]?.allocations ?? [] {
                if !allocation.previousAllocation.isEmpty {
                    update(alloc: allocation.previousAllocation) { $0.nextAllocation = allocation.id }
                }
                add(allocation)
            }
        }
        index += 1
    }
}
