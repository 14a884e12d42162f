import CaravanProto

extension TaskEnvironment {
    /// NOMAD_PORT_, NOMAD_ALLOC_PORT_, NOMAD_HOST_PORT_, NOMAD_IP_, NOMAD_HOST_IP_, NOMAD_ADDR_ and NOMAD_HOST_ADDR_
    /// for every port of the group network. NOMAD_PORT_ is the port inside the namespace (`to`) when mapped, else the
    /// host port; the IP and ADDR variables name the host side. With a namespace of its own (bridge mode) the
    /// allocation's address is NOMAD_ALLOC_IP, and NOMAD_ALLOC_IP_/NOMAD_ALLOC_ADDR_ name each port's inside end.
    static func addPortVariables(
        _ env: inout [String: String], networks: [Caravan_V1_AllocatedNetwork], allocAddress: String? = nil
    ) {
        if let allocAddress { env["NOMAD_ALLOC_IP"] = allocAddress }
        for network in networks {
            for port in network.ports {
                let hostIP = port.hostIp.isEmpty ? network.ip : port.hostIp
                let hostPort = String(port.value)
                let taskPort = port.to > 0 ? String(port.to) : hostPort
                let address = joinHostPort(hostIP, hostPort)
                env["NOMAD_PORT_" + port.label] = taskPort
                env["NOMAD_ALLOC_PORT_" + port.label] = taskPort
                env["NOMAD_HOST_PORT_" + port.label] = hostPort
                env["NOMAD_IP_" + port.label] = hostIP
                env["NOMAD_HOST_IP_" + port.label] = hostIP
                env["NOMAD_ADDR_" + port.label] = address
                env["NOMAD_HOST_ADDR_" + port.label] = address
                if let allocAddress {
                    env["NOMAD_ALLOC_IP_" + port.label] = allocAddress
                    env["NOMAD_ALLOC_ADDR_" + port.label] = joinHostPort(allocAddress, taskPort)
                }
            }
        }
    }
}

/// `host:port`, with brackets around IPv6 addresses.
func joinHostPort(_ host: String, _ port: String) -> String {
    host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
}
