import CaravanProto
import ClientNetwork
import Logging

/// Brings an allocation's network namespace up before its first task starts and takes it down once the last task
/// has ended. Host mode (and a group without a network block) needs neither; bridge and none go to the node's
/// `NetworkManager`, which a node without root or the tools lacks (it then never advertised those modes).
struct AllocNetworkHook: Sendable {
    let manager: NetworkManager?
    let allocation: Caravan_V1_Allocation
    let logger: Logger

    /// The group's network mode as the scheduler allocated it.
    var mode: String { allocation.allocatedResources.shared.networks.first?.mode ?? "host" }

    /// What to ask the manager for; nil in host mode.
    func request() throws(TaskSetupError) -> NetworkRequest? {
        switch mode {
        case "", "host": return nil
        case "none": return NetworkRequest(allocID: allocation.id, mode: .none)
        case "bridge": return NetworkRequest(allocID: allocation.id, mode: .bridge, ports: try portMappings())
        default: throw TaskSetupError("network mode \"\(mode)\" is not supported on this node")
        }
    }

    /// Each allocated port, forwarded from its host port to `to` (the host port itself when `to` is unset).
    func portMappings() throws(TaskSetupError) -> [PortMapping] {
        try (allocation.allocatedResources.shared.networks.first?.ports ?? []).map { port throws(TaskSetupError) in
            var hostIP: IPv4Address?
            if !port.hostIp.isEmpty {
                guard let parsed = IPv4Address(port.hostIp) else {
                    throw TaskSetupError("port \"\(port.label)\": host address \"\(port.hostIp)\" is not IPv4")
                }
                hostIP = parsed
            }
            return PortMapping(
                label: port.label, hostPort: port.value, containerPort: port.to > 0 ? port.to : port.value,
                hostIP: hostIP)
        }
    }

    /// Sets the network up; nil in host mode.
    func setUp() async throws(TaskSetupError) -> AllocNetwork? {
        guard let request = try request() else { return nil }
        guard let manager else {
            throw TaskSetupError("network mode \"\(mode)\" needs clientd to run as root with ip and iptables")
        }
        do {
            return try await manager.setUp(request)
        } catch {
            throw TaskSetupError("failed to set up the \(mode) network: \(error)")
        }
    }

    /// The network as it must already exist (after a restart), for when setting it up again failed.
    func expectedNetwork() -> AllocNetwork? {
        guard let manager, let request = try? request() else { return nil }
        return AllocNetwork(
            mode: request.mode, namespacePath: manager.configuration.namespaceDir + "/" + allocation.id, address: nil,
            interfaceName: nil)
    }

    /// Removes the network, logging (not failing) when something stays behind; the next clientd start retries.
    func tearDown() async {
        guard let manager else { return }
        do {
            try await manager.tearDown(allocID: allocation.id)
        } catch {
            logger.error(
                "cannot tear down the network", metadata: ["alloc_id": "\(allocation.id)", "error": "\(error)"])
        }
    }

    /// The network as clientd reports it to the servers.
    static func status(_ network: AllocNetwork) -> Caravan_V1_AllocNetworkStatus {
        var status = Caravan_V1_AllocNetworkStatus()
        status.interfaceName = network.interfaceName ?? ""
        status.address = network.address?.description ?? ""
        return status
    }
}
