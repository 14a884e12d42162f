import CaravanProto
import CaravanRPC
import Foundation
import SwiftProtobuf

/// Turns a `Nodes.Drain` request into the state command that starts or cancels a drain, refusing bad input
/// before anything is proposed.
enum NodeDrainRequest {
    static let setEvent = "Node drain strategy set"
    static let unsetEvent = "Node drain strategy unset"

    /// Refuses a deadline that is malformed or negative (only `force` drains at once).
    static func validate(_ request: Caravan_V1_DrainNodeRequest) throws {
        guard request.hasDrainSpec else { return }
        let spec = request.drainSpec
        guard spec.hasDeadline, !spec.force else { return }
        let deadline = spec.deadline
        guard abs(deadline.nanos) < 1_000_000_000,
            !(deadline.seconds > 0 && deadline.nanos < 0) && !(deadline.seconds < 0 && deadline.nanos > 0)
        else {
            throw CaravanError.invalidArgument(
                "drain deadline (\(deadline.seconds)s, \(deadline.nanos)ns) is not a valid duration")
        }
        guard deadline.seconds >= 0 && deadline.nanos >= 0 else {
            throw CaravanError.invalidArgument(
                "drain deadline \(deadline.timeInterval)s is negative; give a positive deadline, zero for none, "
                    + "or force to stop every allocation now")
        }
    }

    /// The command for `node`: with a spec, a drain strategy started at `time` (a force drain's deadline has
    /// passed already); without one, the drain cancelled, the node eligible again when asked.
    static func command(
        for request: Caravan_V1_DrainNodeRequest, nodeID: String, evals: [Caravan_V1_Evaluation], at time: Date
    ) -> Caravan_V1_UpdateNodeDrainCommand {
        var command = Caravan_V1_UpdateNodeDrainCommand()
        command.nodeID = nodeID
        command.evals = evals
        command.eventDetails = request.meta
        guard request.hasDrainSpec else {
            command.markEligible = request.markEligible
            command.event = unsetEvent
            return command
        }
        var strategy = Caravan_V1_DrainStrategy()
        strategy.spec = request.drainSpec
        strategy.startedAt = Google_Protobuf_Timestamp(date: time)
        let deadline = request.drainSpec.deadline.timeInterval
        if request.drainSpec.force {
            strategy.spec.clearDeadline()
            strategy.forceDeadline = Google_Protobuf_Timestamp(date: time.addingTimeInterval(-1))
        } else if deadline > 0 {
            strategy.forceDeadline = Google_Protobuf_Timestamp(date: time.addingTimeInterval(deadline))
        }
        command.drainStrategy = strategy
        command.event = setEvent
        return command
    }
}
