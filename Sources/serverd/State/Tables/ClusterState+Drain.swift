import CaravanProto
import CaravanRPC
import Scheduler
import SwiftProtobuf

/// Node drains: the operator starting or cancelling one, the leader's drainer completing it and marking
/// allocations for migration at the pace each group's `migrate` block allows.
extension ClusterState {
    /// Sets or clears a node's drain strategy. A draining node is ineligible; when the drain ends the node stays
    /// ineligible unless the command marks it eligible (a cancel without `-keep-ineligible`).
    mutating func updateNodeDrain(
        _ command: Caravan_V1_UpdateNodeDrainCommand, index: UInt64, time: Google_Protobuf_Timestamp
    ) throws {
        guard var node = nodes[command.nodeID] else {
            throw CaravanError.notFound("node \(command.nodeID) is not registered")
        }
        if command.hasOnlyIfStartedAt {
            guard node.hasDrainStrategy, node.drainStrategy.startedAt == command.onlyIfStartedAt else {
                throw CaravanError(
                    .failedPrecondition, "node \(command.nodeID)'s drain changed since it was judged complete")
            }
        }
        if command.hasDrainStrategy {
            node.drainStrategy = command.drainStrategy
            node.schedulingEligibility = .ineligible
        } else {
            node.clearDrainStrategy()
            if command.markEligible {
                node.schedulingEligibility = .eligible
                journal?.capacityChanged = true
            }
        }
        node.modifyIndex = index
        if !command.event.isEmpty {
            appendEvent(
                to: &node, command.event, subsystem: "Drain", details: command.eventDetails, index: index, time: time)
        }
        storeNode(node)
        touch(.nodes, at: index)
        journal?.nodeIDs.insert(node.id)
        upsertEvals(command.evals, index: index, time: time)
    }

    /// Merges desired transitions into allocations (a flag set stays set), then stores the evaluations that act
    /// on them. Allocations that no longer exist are skipped: the drainer sees the truth on its next look.
    mutating func applyAllocTransitions(
        _ command: Caravan_V1_AllocTransitionsCommand, index: UInt64, time: Google_Protobuf_Timestamp
    ) {
        var changed = false
        for id in command.transitions.keys.sorted() {
            guard let existing = allocs[id], let transition = command.transitions[id] else { continue }
            var alloc = existing
            alloc.desiredTransition.migrate = existing.desiredTransition.migrate || transition.migrate
            alloc.desiredTransition.reschedule = existing.desiredTransition.reschedule || transition.reschedule
            alloc.desiredTransition.forceReschedule =
                existing.desiredTransition.forceReschedule || transition.forceReschedule
            alloc.desiredTransition.noShutdownDelay =
                existing.desiredTransition.noShutdownDelay || transition.noShutdownDelay
            guard alloc.desiredTransition != existing.desiredTransition else { continue }
            alloc.modifyIndex = index
            alloc.modifyTime = time
            storeAllocation(alloc, replacing: existing)
            changed = true
        }
        if changed { touch(.allocs, at: index) }
        upsertEvals(command.evals, index: index, time: time)
    }
}
