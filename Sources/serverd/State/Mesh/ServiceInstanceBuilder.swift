import CaravanProto
import Scheduler

/// Derives the catalog's service instances from one allocation, as Nomad's client would register them.
///
/// The servers do this themselves, in the Raft entry that changes the allocation: an instance exists exactly while
/// its allocation runs, so a crashed client can never leave a stale registration behind. Pure.
enum ServiceInstanceBuilder {
    /// The instances of `alloc`: none unless it is running and meant to run.
    static func instances(
        of alloc: Caravan_V1_Allocation, job: Caravan_V1_Job?, node: Caravan_V1_Node?
    ) -> [Caravan_V1_ServiceInstance] {
        guard alloc.desiredStatus == .run, alloc.clientStatus == .running, let job,
            let group = job.taskGroups.first(where: { $0.name == alloc.taskGroup })
        else { return [] }
        let context = Context(alloc: alloc, job: job, group: group, node: node)
        var result = group.services.map { context.instance(of: $0, owner: group.name) }
        for task in group.tasks {
            result += task.services.map { context.instance(of: $0, owner: task.name) }
        }
        return result
    }

    /// The node's address as other hosts reach it: the fingerprinted IP, else the host of its HTTP address.
    static func address(of node: Caravan_V1_Node?) -> String {
        guard let node else { return "" }
        if let ip = node.attributes["unique.network.ip-address"], !ip.isEmpty { return ip }
        let host = node.httpAddr.split(separator: ":").first.map(String.init) ?? ""
        return host
    }

    /// The default label of a sidecar's public port, added to the group network when the job names none.
    static func sidecarPortLabel(for service: String) -> String { "connect-proxy-\(service)" }

    struct Context {
        let alloc: Caravan_V1_Allocation
        let job: Caravan_V1_Job
        let group: Caravan_V1_TaskGroup
        let node: Caravan_V1_Node?

        func instance(of service: Caravan_V1_Service, owner: String) -> Caravan_V1_ServiceInstance {
            var instance = Caravan_V1_ServiceInstance()
            instance.id = "_caravan-\(alloc.id)-\(owner)-\(service.name)-\(service.portLabel)"
            instance.name = service.name
            instance.namespace = alloc.namespace.isEmpty ? "default" : alloc.namespace
            instance.allocID = alloc.id
            instance.nodeID = alloc.nodeID
            instance.nodeName = node?.name ?? alloc.nodeName
            instance.datacenter = node?.datacenter ?? ""
            let canary = alloc.deploymentStatus.canary && !service.canaryTags.isEmpty
            instance.tags = canary ? service.canaryTags : service.tags
            instance.meta = service.meta
            instance.kind = .typical
            let (address, port) = endpoint(label: service.portLabel, mode: service.addressMode)
            instance.address = address
            instance.port = port
            instance.health = health
            if service.hasConnect {
                var connect = Caravan_V1_ServiceInstanceConnect()
                connect.native = service.connect.native
                if service.connect.hasSidecarService {
                    let sidecarService = service.connect.sidecarService
                    let label =
                        sidecarService.port.isEmpty
                        ? ServiceInstanceBuilder.sidecarPortLabel(for: service.name) : sidecarService.port
                    let sidecar = endpoint(label: label, mode: .host)
                    connect.sidecarAddress = sidecar.address
                    connect.sidecarPort = sidecar.port
                    connect.sidecarBindPort = insidePort(label: label)
                    connect.proxy = sidecarService.proxy
                    connect.localServicePort =
                        sidecarService.proxy.localServicePort > 0
                        ? sidecarService.proxy.localServicePort : insidePort(label: service.portLabel)
                }
                instance.connect = connect
            }
            return instance
        }

        /// The port a label maps to inside the allocation's namespace (`to`, or the host port when unmapped).
        func insidePort(label: String) -> Int32 {
            for network in alloc.allocatedResources.shared.networks {
                if let port = network.ports.first(where: { $0.label == label }) {
                    return port.to > 0 ? port.to : port.value
                }
            }
            return Int32(label) ?? 0
        }

        /// Critical when the node is gone or the client judged the allocation unhealthy; passing otherwise
        /// (Caravan does not run service checks yet, so a running allocation counts as passing).
        var health: Caravan_V1_HealthStatus {
            if let node, node.status == .down || node.status == .disconnected { return .critical }
            if alloc.deploymentStatus.hasHealthy && !alloc.deploymentStatus.healthy { return .critical }
            return .passing
        }

        /// Where a port label is reachable: the host address and mapped host port, or in `alloc` mode the
        /// allocation's own IP and the port inside its namespace. A literal number is taken as the port itself.
        func endpoint(label: String, mode: Caravan_V1_Service.AddressMode) -> (address: String, port: Int32) {
            let hostAddress = ServiceInstanceBuilder.address(of: node)
            let useAllocAddress = mode == .alloc || mode == .driver
            let allocAddress = alloc.networkStatus.address.isEmpty ? hostAddress : alloc.networkStatus.address
            for network in alloc.allocatedResources.shared.networks {
                guard let port = network.ports.first(where: { $0.label == label }) else { continue }
                if useAllocAddress {
                    return (allocAddress, port.to > 0 ? port.to : port.value)
                }
                let bound = port.hostIp.isEmpty || port.hostIp == "0.0.0.0" ? hostAddress : port.hostIp
                return (bound, port.value)
            }
            let literal = Int32(label) ?? 0
            return (useAllocAddress ? allocAddress : hostAddress, literal)
        }
    }
}
