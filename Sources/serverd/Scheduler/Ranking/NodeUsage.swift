import CaravanProto

/// What non-terminal allocations hold on one node: CPU, memory, host ports and bridge addresses.
///
/// The same arithmetic serves the scheduler (with the plan so far folded in) and the plan verifier (with
/// the plan under review folded in), so the two can never disagree on whether something fits.
///
/// serverd's state keeps one per node, updated as allocations come and go (`SchedulerState.usage(nodeID:)`),
/// so a placement does not add up a node's allocations again for every node it examines.
public struct NodeUsage: Sendable, Equatable {
    public var cpuMhz: Int64 = 0
    public var memoryMb: Int64 = 0
    /// Host ports in use, including the node's reserved ports.
    public var ports: Set<Int32> = []
    /// Ports that more than one allocation claims (only possible in a plan under review).
    public var duplicatePorts: Set<Int32> = []
    public var bridgeAllocations: Int = 0

    public init() {}

    /// Usage of the node's reserved ports alone.
    init(reservedPorts: String) {
        ports = PortRanges.parse(reservedPorts)
    }

    /// This usage with the node's reserved ports added.
    func reserving(_ reservedPorts: String) -> NodeUsage {
        var usage = self
        for port in PortRanges.parse(reservedPorts) where !usage.ports.insert(port).inserted {
            usage.duplicatePorts.insert(port)
        }
        return usage
    }

    public mutating func add(_ allocation: Caravan_V1_Allocation) {
        cpuMhz += allocation.cpuUsage
        memoryMb += allocation.memoryUsage
        for port in allocation.hostPorts where !ports.insert(port).inserted {
            duplicatePorts.insert(port)
        }
        if allocation.usesBridge { bridgeAllocations += 1 }
    }

    public mutating func remove(_ allocation: Caravan_V1_Allocation) {
        cpuMhz -= allocation.cpuUsage
        memoryMb -= allocation.memoryUsage
        for port in allocation.hostPorts {
            if duplicatePorts.contains(port) {
                duplicatePorts.remove(port)
            } else {
                ports.remove(port)
            }
        }
        if allocation.usesBridge { bridgeAllocations -= 1 }
    }
}

/// Parses port lists such as "22,80,8000-8100".
enum PortRanges {
    static func parse(_ text: String) -> Set<Int32> {
        var result: Set<Int32> = []
        for item in text.split(separator: ",") {
            let part = item.trimmingSpaces()
            let bounds = part.split(separator: "-", maxSplits: 1).map { Int32($0.trimmingSpaces()) }
            if bounds.count == 1, let port = bounds[0], (0...65535).contains(port) {
                result.insert(port)
            } else if bounds.count == 2, let low = bounds[0], let high = bounds[1], low <= high {
                for port in max(0, low)...min(65535, high) { result.insert(port) }
            }
        }
        return result
    }
}
