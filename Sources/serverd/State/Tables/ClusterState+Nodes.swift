import CaravanProto
import CaravanRPC
import Scheduler
import SwiftProtobuf

extension ClusterState {
    /// Registers a node, or re-registers it after a restart (same id and secret): its fingerprint is replaced,
    /// its eligibility and drain kept, and it is ready again.
    mutating func registerNode(
        _ command: Caravan_V1_RegisterNodeCommand, index: UInt64, time: Google_Protobuf_Timestamp
    )
        throws
    {
        var node = command.node
        if let existing = nodes[node.id] {
            guard existing.secretID == node.secretID else {
                throw CaravanError(
                    .permissionDenied,
                    "node \(node.id) is registered with another secret; a node id belongs to one client")
            }
            node.createIndex = existing.createIndex
            node.schedulingEligibility = existing.schedulingEligibility
            // Assigning an unset message field would set it (to an empty drain): copy it only when there is one.
            if existing.hasDrainStrategy {
                node.drainStrategy = existing.drainStrategy
            } else {
                node.clearDrainStrategy()
            }
            node.events = existing.events
        } else {
            node.createIndex = index
            if node.schedulingEligibility == .unspecified { node.schedulingEligibility = .eligible }
        }
        node.status = .ready
        node.statusDescription = ""
        node.statusUpdatedAt = time
        node.modifyIndex = index
        appendEvent(to: &node, "Node registered", index: index, time: time)
        storeNode(node)
        touch(.nodes, at: index)
        journal?.nodeIDs.insert(node.id)
        journal?.capacityChanged = true
        upsertEvals(command.evals, index: index, time: time)
    }

    mutating func updateNodeStatus(
        _ command: Caravan_V1_UpdateNodeStatusCommand, index: UInt64, time: Google_Protobuf_Timestamp
    ) throws {
        guard var node = nodes[command.nodeID] else {
            throw CaravanError.notFound("node \(command.nodeID) is not registered")
        }
        if node.status != command.status {
            node.status = command.status
            node.statusDescription = command.description_p
            node.statusUpdatedAt = time
            appendEvent(
                to: &node, command.description_p.isEmpty ? "Node status changed" : command.description_p,
                index: index, time: time)
        }
        node.modifyIndex = index
        storeNode(node)
        touch(.nodes, at: index)
        journal?.nodeIDs.insert(node.id)
        if command.status == .ready { journal?.capacityChanged = true }
        upsertEvals(command.evals, index: index, time: time)
    }

    mutating func updateNodeEligibility(
        _ command: Caravan_V1_UpdateNodeEligibilityCommand, index: UInt64, time: Google_Protobuf_Timestamp
    ) throws {
        guard var node = nodes[command.nodeID] else {
            throw CaravanError.notFound("node \(command.nodeID) is not registered")
        }
        node.schedulingEligibility = command.eligibility
        node.modifyIndex = index
        appendEvent(
            to: &node, command.eligibility == .ineligible ? "Node marked ineligible" : "Node marked eligible",
            index: index, time: time)
        storeNode(node)
        touch(.nodes, at: index)
        journal?.nodeIDs.insert(node.id)
        if command.eligibility != .ineligible { journal?.capacityChanged = true }
        upsertEvals(command.evals, index: index, time: time)
    }

    /// Takes what a client reports about its allocations. Reports for allocations that are gone or belong to
    /// another node are ignored: the client learns the truth from its watch.
    mutating func applyClientUpdates(
        _ command: Caravan_V1_ClientAllocUpdatesCommand, index: UInt64, time: Google_Protobuf_Timestamp
    ) {
        for update in command.updates {
            guard let existing = allocs[update.allocID], existing.nodeID == command.nodeID else { continue }
            var alloc = existing
            alloc.clientStatus = update.clientStatus
            alloc.clientDescription = update.clientDescription
            alloc.taskStates = update.taskStates
            if update.hasDeploymentStatus { alloc.deploymentStatus = update.deploymentStatus }
            if update.hasNetworkStatus { alloc.networkStatus = update.networkStatus }
            alloc.modifyIndex = index
            alloc.modifyTime = time
            if alloc.isTerminal && !existing.isTerminal { journal?.capacityChanged = true }
            storeAllocation(alloc, replacing: existing)
            countHealth(of: alloc, before: existing, index: index, time: time)
        }
        touch(.allocs, at: index)
        upsertEvals(command.evals, index: index, time: time)
    }

    /// `ctl alloc stop`: marks the allocation for migration; its evaluation stops and replaces it.
    mutating func stopAlloc(_ command: Caravan_V1_StopAllocCommand, index: UInt64, time: Google_Protobuf_Timestamp)
        throws
    {
        guard var alloc = allocs[command.allocID] else {
            throw CaravanError.notFound("allocation \(command.allocID) does not exist")
        }
        let existing = alloc
        alloc.desiredTransition.migrate = true
        alloc.modifyIndex = index
        alloc.modifyTime = time
        storeAllocation(alloc, replacing: existing)
        touch(.allocs, at: index)
        upsertEvals([command.eval], index: index, time: time)
    }

    /// Node events are bounded, newest last, as Nomad keeps them.
    func appendEvent(
        to node: inout Caravan_V1_Node, _ message: String, subsystem: String = "Cluster",
        details: [String: String] = [:], index: UInt64, time: Google_Protobuf_Timestamp
    ) {
        var event = Caravan_V1_NodeEvent()
        event.message = message
        event.subsystem = subsystem
        event.details = details
        event.timestamp = time
        event.createIndex = index
        node.events.append(event)
        if node.events.count > 10 { node.events.removeFirst(node.events.count - 10) }
    }
}
