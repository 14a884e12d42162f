import CaravanProto

/// Decides whether a task group fits on a node given its current usage, and picks its host ports.
enum Fit {
    /// The lowest and highest host port handed out for dynamic ports.
    static let dynamicPortRange: ClosedRange<Int32> = 20000...32000

    enum Outcome {
        /// The group fits; its ports resolved to host ports.
        case fits([Caravan_V1_AllocatedPort])
        /// The `dimension_exhausted` key of the first dimension that does not fit.
        case exhausted(String)
    }

    static func check(
        group: Caravan_V1_TaskGroup, node: Caravan_V1_Node, usage: NodeUsage, random: inout SeededRandom
    ) -> Outcome {
        if usage.cpuMhz + group.cpuAsk > node.cpuCapacity { return .exhausted("cpu") }
        if usage.memoryMb + group.memoryAsk > node.memoryCapacity { return .exhausted("memory") }
        var taken = usage.ports
        var ports: [Caravan_V1_AllocatedPort] = []
        for network in group.networks {
            for port in network.reservedPorts {
                guard taken.insert(port.value).inserted else { return .exhausted("static port \(port.value)") }
                ports.append(allocated(port, hostPort: port.value))
            }
        }
        for network in group.networks {
            for port in network.dynamicPorts {
                guard let hostPort = pickDynamicPort(taken: taken, random: &random) else {
                    return .exhausted("dynamic port")
                }
                taken.insert(hostPort)
                ports.append(allocated(port, hostPort: hostPort))
            }
        }
        if group.networkMode == "bridge", node.bridge.capacity > 0,
            usage.bridgeAllocations >= Int(node.bridge.capacity)
        {
            return .exhausted("bridge addresses")
        }
        return .fits(ports)
    }

    private static func allocated(_ port: Caravan_V1_Port, hostPort: Int32) -> Caravan_V1_AllocatedPort {
        var result = Caravan_V1_AllocatedPort()
        result.label = port.label
        result.value = hostPort
        result.to = port.to > 0 ? port.to : hostPort
        return result
    }

    /// A few random draws, then a scan from a random start, so a crowded node still finds a free port.
    private static func pickDynamicPort(taken: Set<Int32>, random: inout SeededRandom) -> Int32? {
        for _ in 0..<20 {
            let port = Int32.random(in: dynamicPortRange, using: &random)
            if !taken.contains(port) { return port }
        }
        let width = dynamicPortRange.upperBound - dynamicPortRange.lowerBound + 1
        let start = Int32.random(in: 0..<width, using: &random)
        for offset in 0..<width {
            let port = dynamicPortRange.lowerBound + (start + offset) % width
            if !taken.contains(port) { return port }
        }
        return nil
    }
}
