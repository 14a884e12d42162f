import CaravanProto
import CaravanRPC
import Foundation
import State
import SwiftProtobuf

@testable import CaravanServer

/// A cluster state built through the state machine's own commands, for the drainer's tables: nodes, jobs,
/// allocations placed and replaced, client reports and drains.
final class DrainBed {
    static let start = Date(timeIntervalSince1970: 1_700_000_000)

    let machine = StateMachine()
    var cluster: ClusterState { machine.cluster }

    func apply(_ fill: (inout Caravan_V1_StateCommand) -> Void) throws {
        var command = StateCommands.envelope(at: Self.start)
        fill(&command)
        let result = machine.apply(entryData: try command.serializedBytes(), index: machine.lastAppliedIndex + 1)
        if let refusal = result.refusal { throw refusal }
    }

    func node(_ id: String) throws {
        var node = Caravan_V1_Node()
        node.id = id
        node.secretID = "secret-\(id)"
        node.name = id
        node.datacenter = "dc1"
        try apply { $0.registerNode = .with { $0.node = node } }
    }

    @discardableResult
    func job(
        _ id: String, type: Caravan_V1_JobType = .service, count: Int32 = 1, maxParallel: Int32? = nil,
        stop: Bool = false
    ) throws -> Caravan_V1_Job {
        var group = Caravan_V1_TaskGroup()
        group.name = "g"
        group.count = count
        if let maxParallel { group.migrate = .with { $0.maxParallel = maxParallel } }
        group.tasks = [
            .with {
                $0.name = "t"; $0.driver = "raw_exec"
            }
        ]
        var job = Caravan_V1_Job()
        job.id = id
        job.namespace = "default"
        job.type = type
        job.datacenters = ["dc1"]
        job.stop = stop
        job.taskGroups = [group]
        try apply { $0.registerJob = .with { $0.job = job } }
        return job
    }

    /// Places allocation `id` ("<job>.g[index]") on `node`, running; `replacing` links it as a replacement.
    func alloc(_ id: String, job: String, index: Int = 0, node: String, replacing previous: String? = nil) throws {
        var alloc = Caravan_V1_Allocation()
        alloc.id = id
        alloc.namespace = "default"
        alloc.jobID = job
        alloc.taskGroup = "g"
        alloc.name = "\(job).g[\(index)]"
        alloc.nodeID = node
        alloc.clientStatus = .running
        if let previous { alloc.previousAllocation = previous }
        var plan = Caravan_V1_Plan()
        plan.nodeAllocation[node] = .with { $0.allocations = [alloc] }
        try apply { $0.applyPlan = .with { $0.plan = plan } }
    }

    /// What the scheduler does with a marked allocation: stops it and places its replacement on `node`.
    func replace(_ id: String, with replacement: String, on node: String) throws {
        let old = try existing(id)
        try stop(id)
        try alloc(replacement, job: old.jobID, index: 0, node: node, replacing: id)
    }

    /// The server tells the allocation to stop; its client still runs it until it reports.
    func stop(_ id: String) throws {
        let old = try existing(id)
        var plan = Caravan_V1_Plan()
        plan.nodeUpdate[old.nodeID] = .with {
            $0.stops = [
                .with {
                    $0.allocID = id; $0.desiredStatus = .stop
                }
            ]
        }
        try apply { $0.applyPlan = .with { $0.plan = plan } }
    }

    /// The allocation's client reports a status, and a health verdict when given.
    func report(_ id: String, _ status: Caravan_V1_AllocClientStatus, healthy: Bool? = nil) throws {
        let old = try existing(id)
        try apply {
            $0.clientAllocUpdates = .with {
                $0.nodeID = old.nodeID
                $0.updates = [
                    .with {
                        $0.allocID = id
                        $0.clientStatus = status
                        if let healthy { $0.deploymentStatus = .with { $0.healthy = healthy } }
                    }
                ]
            }
        }
    }

    func drain(_ node: String, deadline: TimeInterval? = 3600, force: Bool = false, ignoreSystem: Bool = false)
        throws
    {
        var request = Caravan_V1_DrainNodeRequest()
        request.nodeID = node
        request.drainSpec.ignoreSystemJobs = ignoreSystem
        request.drainSpec.force = force
        if let deadline { request.drainSpec.deadline = .init(seconds: Int64(deadline)) }
        try apply {
            $0.updateNodeDrain = NodeDrainRequest.command(for: request, nodeID: node, evals: [], at: Self.start)
        }
    }

    /// Records what a drainer step marks, as the leader's command would.
    func mark(_ step: DrainStep) throws {
        try apply {
            $0.allocTransitions = .with {
                for id in step.migrate { $0.transitions[id] = .with { $0.migrate = true } }
            }
        }
    }

    func next(at offset: TimeInterval = 0) -> DrainStep {
        DrainPlanner.next(cluster, now: Self.start.addingTimeInterval(offset))
    }

    private func existing(_ id: String) throws -> Caravan_V1_Allocation {
        guard let alloc = cluster.allocs[id] else { throw CaravanError.notFound("no allocation \(id)") }
        return alloc
    }
}
