import CaravanProto
import Foundation
import Scheduler
import SwiftProtobuf

/// Builders for nodes, jobs, allocations and evaluations, with Nomad-harness-like defaults.
enum Fixtures {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    static func node(
        _ id: String, datacenter: String = "dc1", cpu: Int64 = 4000, memory: Int64 = 8192,
        attributes: [String: String] = [:], meta: [String: String] = [:], pool: String = "",
        nodeClass: String = "", status: Caravan_V1_NodeStatus = .ready,
        eligibility: Caravan_V1_SchedulingEligibility = .eligible, drivers: [String] = ["exec", "raw_exec"],
        volumes: [String: Bool] = [:], networkModes: [String] = [], bridgeCapacity: UInt32 = 0,
        reservedPorts: String = ""
    ) -> Caravan_V1_Node {
        var node = Caravan_V1_Node()
        node.id = id
        node.name = "name-\(id)"
        node.datacenter = datacenter
        node.nodePool = pool
        node.nodeClass = nodeClass
        node.status = status
        node.schedulingEligibility = eligibility
        node.resources.cpuMhz = cpu
        node.resources.memoryMb = memory
        node.reserved.reservedHostPorts = reservedPorts
        node.attributes = [
            "kernel.name": "linux", "os.name": "ubuntu", "cpu.arch": "amd64", "cpu.numcores": "4",
            "driver.exec.version": "1.4.2", "nomad.version": "1.6.3",
        ].merging(attributes) { _, new in new }
        node.meta = meta
        for driver in drivers {
            var info = Caravan_V1_DriverInfo()
            info.detected = true
            info.healthy = true
            node.drivers[driver] = info
        }
        for (name, readOnly) in volumes {
            var volume = Caravan_V1_HostVolume()
            volume.name = name
            volume.path = "/srv/\(name)"
            volume.readOnly = readOnly
            node.hostVolumes[name] = volume
        }
        node.networkModes = networkModes
        if bridgeCapacity > 0 {
            node.bridge.name = "caravan"
            node.bridge.capacity = bridgeCapacity
        }
        return node
    }

    static func job(
        _ id: String = "web", type: Caravan_V1_JobType = .service, count: Int32? = 1, cpu: Int64 = 500,
        memory: Int64 = 256, datacenters: [String] = ["dc1"], driver: String = "exec", version: UInt64 = 0,
        group: String = "web"
    ) -> Caravan_V1_Job {
        var job = Caravan_V1_Job()
        job.id = id
        job.name = id
        job.namespace = "default"
        job.type = type
        job.priority = 50
        job.datacenters = datacenters
        job.version = version
        var task = Caravan_V1_Task()
        task.name = "app"
        task.driver = driver
        task.resources.cpuMhz = cpu
        task.resources.memoryMb = memory
        var taskGroup = Caravan_V1_TaskGroup()
        taskGroup.name = group
        if let count { taskGroup.count = count }
        taskGroup.tasks = [task]
        job.taskGroups = [taskGroup]
        return job
    }

    static func constraint(_ left: String, _ operand: String, _ right: String) -> Caravan_V1_Constraint {
        var constraint = Caravan_V1_Constraint()
        constraint.lTarget = left
        constraint.operand = operand
        constraint.rTarget = right
        return constraint
    }

    static func port(_ label: String, _ value: Int32 = 0, to: Int32 = 0) -> Caravan_V1_Port {
        var port = Caravan_V1_Port()
        port.label = label
        port.value = value
        port.to = to
        return port
    }

    static func evaluation(
        for job: Caravan_V1_Job, trigger: String = "job-register", id: String = "eval-1"
    ) -> Caravan_V1_Evaluation {
        var evaluation = Caravan_V1_Evaluation()
        evaluation.id = id
        evaluation.namespace = job.namespace
        evaluation.jobID = job.id
        evaluation.priority = job.priority
        evaluation.triggeredBy = trigger
        evaluation.status = .pending
        switch job.type {
        case .batch: evaluation.type = "batch"
        case .system: evaluation.type = "system"
        default: evaluation.type = "service"
        }
        return evaluation
    }

    /// A running allocation of `job` on `node`, as a client would report it.
    static func allocation(
        _ id: String, job: Caravan_V1_Job, node: String, index: Int = 0,
        clientStatus: Caravan_V1_AllocClientStatus = .running, desired: Caravan_V1_AllocDesiredStatus = .run,
        modified: Date = now
    ) -> Caravan_V1_Allocation {
        let group = job.taskGroups.first ?? Caravan_V1_TaskGroup()
        var allocation = Caravan_V1_Allocation()
        allocation.id = id
        allocation.namespace = job.namespace
        allocation.jobID = job.id
        allocation.jobVersion = job.version
        allocation.taskGroup = group.name
        allocation.name = "\(job.id).\(group.name)[\(index)]"
        allocation.nodeID = node
        allocation.desiredStatus = desired
        allocation.clientStatus = clientStatus
        allocation.modifyTime = Google_Protobuf_Timestamp(date: modified)
        for task in group.tasks {
            var share = Caravan_V1_AllocatedTaskResources()
            share.cpuMhz = task.resources.cpuMhz
            share.memoryMb = task.resources.memoryMb
            allocation.allocatedResources.tasks[task.name] = share
        }
        return allocation
    }

    /// Runs the scheduler for `job` (registered in `state` by the caller). The seed defaults to the state's
    /// index, as a worker would pick a fresh one per evaluation.
    static func schedule(
        _ state: TestState, job: Caravan_V1_Job, trigger: String = "job-register", seed: UInt64? = nil,
        now: Date = now
    ) -> Caravan_V1_Plan {
        Scheduler.schedule(
            evaluation: evaluation(for: job, trigger: trigger), state: state, now: now, seed: seed ?? state.index)
    }

    /// A state with `count` default nodes named n1...nN.
    static func cluster(_ count: Int, _ customize: (Int, inout Caravan_V1_Node) -> Void = { _, _ in }) -> TestState {
        var state = TestState()
        for index in 1...max(1, count) {
            var node = node("n\(index)")
            customize(index, &node)
            state.add(node)
        }
        return state
    }
}

extension Caravan_V1_Plan {
    /// Every allocation the plan creates or updates, sorted by name then node.
    var placed: [Caravan_V1_Allocation] {
        nodeAllocation.values.flatMap(\.allocations).sorted { ($0.name, $0.nodeID) < ($1.name, $1.nodeID) }
    }

    /// Every stop (annotation-only entries included).
    var stops: [Caravan_V1_PlanAllocStop] {
        nodeUpdate.values.flatMap(\.stops).sorted { $0.allocID < $1.allocID }
    }

    /// Real stops only (desired status set).
    var realStops: [Caravan_V1_PlanAllocStop] { stops.filter { $0.desiredStatus != .unspecified } }
}
