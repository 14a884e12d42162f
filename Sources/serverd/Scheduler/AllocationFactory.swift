import CaravanProto
import Foundation
import SwiftProtobuf

/// Builds the allocations a plan creates, so generic and system scheduling produce identical records.
enum AllocationFactory {
    static func make(
        context: PlanContext, group: Caravan_V1_TaskGroup, name: String, node: Caravan_V1_Node,
        ports: [Caravan_V1_AllocatedPort], metric: Caravan_V1_AllocMetric, previous: Caravan_V1_Allocation?,
        rescheduleDelay: TimeInterval?, canary: Bool = false
    ) -> Caravan_V1_Allocation {
        let job = context.job
        var allocation = Caravan_V1_Allocation()
        allocation.id = context.random.uuid()
        allocation.namespace = job.namespace.isEmpty ? context.evaluation.namespace : job.namespace
        allocation.evalID = context.evaluation.id
        allocation.name = name
        allocation.nodeID = node.id
        allocation.nodeName = node.name
        allocation.jobID = job.id
        allocation.jobVersion = job.version
        allocation.taskGroup = group.name
        allocation.allocatedResources = resources(group: group, ports: ports, node: node)
        allocation.desiredStatus = .run
        allocation.clientStatus = .pending
        allocation.metrics = metric
        allocation.createTime = Google_Protobuf_Timestamp(date: context.now)
        allocation.modifyTime = Google_Protobuf_Timestamp(date: context.now)
        if let deployment = context.deployment, deployment.taskGroups[group.name] != nil {
            allocation.deploymentID = deployment.id
            allocation.deploymentStatus.canary = canary
        }
        if let previous {
            allocation.previousAllocation = previous.id
            if let rescheduleDelay {
                var event = Caravan_V1_RescheduleEvent()
                event.rescheduleTime = Google_Protobuf_Timestamp(date: context.now)
                event.prevAllocID = previous.id
                event.prevNodeID = previous.nodeID
                event.delay = Google_Protobuf_Duration(rounding: rescheduleDelay, rule: .toNearestOrAwayFromZero)
                allocation.rescheduleTracker.events = previous.rescheduleTracker.events + [event]
            }
        }
        return allocation
    }

    static func resources(group: Caravan_V1_TaskGroup, ports: [Caravan_V1_AllocatedPort], node: Caravan_V1_Node)
        -> Caravan_V1_AllocatedResources
    {
        var resources = Caravan_V1_AllocatedResources()
        for task in group.tasks {
            var share = Caravan_V1_AllocatedTaskResources()
            share.cpuMhz = task.resources.cpuMhz
            share.memoryMb = task.resources.memoryMb
            share.memoryMaxMb = task.resources.memoryMaxMb
            resources.tasks[task.name] = share
        }
        if !group.networks.isEmpty {
            var network = Caravan_V1_AllocatedNetwork()
            network.mode = group.networkMode
            network.mbits = group.networks[0].mbits
            // The host side of every port: the node's advertised address, as Nomad's NOMAD_IP_<label> names it.
            network.ip = node.attributes["unique.network.ip-address"] ?? ""
            network.ports = ports
            resources.shared.networks = [network]
        }
        if group.hasEphemeralDisk { resources.shared.diskMb = group.ephemeralDisk.sizeMb }
        return resources
    }
}
