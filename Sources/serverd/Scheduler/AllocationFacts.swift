import CaravanProto

/// Status and resource facts about allocations that every part of the scheduler agrees on.
extension Caravan_V1_Allocation {
    /// Stopped or evicted by the server, or finished, failed or lost on the client: it holds no resources.
    public var isTerminal: Bool {
        switch desiredStatus {
        case .stop, .evict: return true
        default: break
        }
        switch clientStatus {
        case .complete, .failed, .lost: return true
        default: return false
        }
    }

    /// CPU in MHz reserved by all tasks.
    var cpuUsage: Int64 {
        allocatedResources.tasks.values.reduce(0) { $0 + $1.cpuMhz }
    }

    /// Memory in MB reserved by all tasks.
    var memoryUsage: Int64 {
        allocatedResources.tasks.values.reduce(0) { $0 + $1.memoryMb }
    }

    /// Host ports held by the allocation.
    var hostPorts: [Int32] {
        allocatedResources.shared.networks.flatMap { network in network.ports.map(\.value) }
    }

    /// Whether the allocation takes an address from the node's bridge network.
    var usesBridge: Bool {
        allocatedResources.shared.networks.contains { $0.mode == "bridge" }
    }

    /// The index in "<job>.<group>[<index>]", or nil when the name has none.
    var nameIndex: Int? {
        guard name.hasSuffix("]"), let open = name.lastIndex(of: "[") else { return nil }
        let digits = name[name.index(after: open)..<name.index(before: name.endIndex)]
        return Int(digits)
    }
}

extension Caravan_V1_TaskGroup {
    /// The desired count; an unset count means one allocation.
    var desiredCount: Int {
        hasCount ? max(0, Int(count)) : 1
    }

    /// The group network's mode ("host" when unset).
    var networkMode: String {
        guard let first = networks.first, !first.mode.isEmpty else { return "host" }
        return first.mode
    }

    var cpuAsk: Int64 { tasks.reduce(0) { $0 + $1.resources.cpuMhz } }
    var memoryAsk: Int64 { tasks.reduce(0) { $0 + $1.resources.memoryMb } }
}

extension Caravan_V1_Node {
    /// CPU the node offers to allocations (total minus reserved).
    var cpuCapacity: Int64 { resources.cpuMhz - reserved.cpuMhz }
    /// Memory the node offers to allocations (total minus reserved).
    var memoryCapacity: Int64 { resources.memoryMb - reserved.memoryMb }

    public var poolName: String { nodePool.isEmpty ? "default" : nodePool }

    /// Ready, eligible (unspecified counts as eligible) and not draining.
    public var acceptsPlacements: Bool {
        status == .ready && schedulingEligibility != .ineligible && !hasDrainStrategy
    }
}
