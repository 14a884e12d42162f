import CaravanProto
import CaravanRPC

/// Checks a node's registration before anything is written, and shapes nodes for listings.
enum NodeValidation {
    static func validate(_ node: Caravan_V1_Node) throws {
        var problems: [String] = []
        if node.id.isEmpty || node.id.count > 64
            || node.id.contains(where: { !$0.isLetter && !$0.isNumber && $0 != "-" })
        {
            problems.append("node id must be 1-64 letters, digits or dashes, got \"\(node.id)\"")
        }
        if node.secretID.count < 8 { problems.append("node secret must be at least 8 characters") }
        if node.name.isEmpty { problems.append("node name is empty") }
        if node.datacenter.isEmpty { problems.append("node datacenter is empty") }
        if node.resources.cpuMhz <= 0 { problems.append("node cpu must be positive, got \(node.resources.cpuMhz) MHz") }
        if node.resources.memoryMb <= 0 {
            problems.append("node memory must be positive, got \(node.resources.memoryMb) MB")
        }
        if node.reserved.cpuMhz < 0 || node.reserved.memoryMb < 0 {
            problems.append("reserved resources must not be negative")
        }
        for (name, volume) in node.hostVolumes where name.isEmpty || volume.path.isEmpty {
            problems.append("host volume \"\(name)\" needs a name and a path")
        }
        guard problems.isEmpty else {
            throw CaravanError.invalidArgument("invalid node registration: " + problems.joined(separator: "; "))
        }
    }

    static func stub(_ node: Caravan_V1_Node) -> Caravan_V1_NodeListStub {
        var stub = Caravan_V1_NodeListStub()
        stub.id = node.id
        stub.name = node.name
        stub.datacenter = node.datacenter
        stub.nodeClass = node.nodeClass
        stub.nodePool = node.nodePool
        stub.address = node.rpcAddr
        stub.version = node.attributes["caravan.version"] ?? ""
        stub.status = node.status
        stub.statusDescription = node.statusDescription
        stub.schedulingEligibility = node.schedulingEligibility
        stub.drain = node.hasDrainStrategy
        stub.drivers = node.drivers
        stub.createIndex = node.createIndex
        stub.modifyIndex = node.modifyIndex
        return stub
    }
}
