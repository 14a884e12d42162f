import CaravanProto
import SwiftProtobuf

@testable import ClientAgent

/// An allocation of job "api" (group "web", task "server") with a group network, as the scheduler places it.
func fixtureAllocation() -> Caravan_V1_Allocation {
    var task = Caravan_V1_Task()
    task.name = "server"
    task.driver = "exec"
    task.meta = ["owner": "task-team"]
    task.resources.cpuMhz = 100
    task.resources.memoryMb = 64

    var group = Caravan_V1_TaskGroup()
    group.name = "web"
    group.meta = ["tier": "group-tier", "owner": "group-team"]
    group.tasks = [task]

    var job = Caravan_V1_Job()
    job.id = "api"
    job.name = "api-name"
    job.namespace = "default"
    job.type = .service
    job.meta = ["tier": "job-tier", "version": "v1", "my-key.x": "dotted"]
    job.taskGroups = [group]

    var http = Caravan_V1_AllocatedPort()
    http.label = "http"
    http.value = 23456
    http.to = 8080
    http.hostIp = "10.0.0.7"
    var admin = Caravan_V1_AllocatedPort()
    admin.label = "admin"
    admin.value = 9090
    admin.hostIp = "10.0.0.7"
    var network = Caravan_V1_AllocatedNetwork()
    network.mode = "host"
    network.ip = "10.0.0.7"
    network.ports = [http, admin]

    var allocated = Caravan_V1_AllocatedTaskResources()
    allocated.cpuMhz = 250
    allocated.memoryMb = 128
    allocated.memoryMaxMb = 256
    allocated.reservedCores = [3, 0, 1]

    var allocation = Caravan_V1_Allocation()
    allocation.id = "3c7a1d2e-9f4b-4c1a-8e2d-1234567890ab"
    allocation.name = "api.web[2]"
    allocation.namespace = "default"
    allocation.jobID = "api"
    allocation.job = job
    allocation.taskGroup = "web"
    allocation.allocatedResources.tasks = ["server": allocated]
    allocation.allocatedResources.shared.networks = [network]
    return allocation
}

func fixtureNode() -> Caravan_V1_Node {
    var node = Caravan_V1_Node()
    node.id = "node-uuid"
    node.name = "worker-7"
    node.datacenter = "dc1"
    node.nodeClass = "web"
    node.attributes = ["kernel.name": "linux", "cpu.arch": "amd64"]
    node.meta = ["rack": "r42"]
    return node
}
