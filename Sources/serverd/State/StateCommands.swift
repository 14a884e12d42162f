import CaravanProto
import Foundation
import SwiftProtobuf

/// Builds the `StateCommand`s proposers put in the Raft log, at the version this server writes.
///
/// The proposal time is decided here, once, by the proposer: replicas take every time they store from the
/// command, never from their own clocks, so they all store the same thing.
public enum StateCommands {
    /// The command version this server writes and the only one it applies.
    public static let currentVersion: UInt32 = 1

    /// Create or replace a variable (with the request's optional check-and-set).
    public static func putVariable(_ request: Caravan_V1_PutVariableRequest, at time: Date) -> Caravan_V1_StateCommand {
        var command = envelope(at: time)
        command.putVariable = request
        return command
    }

    /// Remove a variable (with the request's optional check-and-set).
    public static func deleteVariable(
        _ request: Caravan_V1_DeleteVariableRequest,
        at time: Date
    ) -> Caravan_V1_StateCommand {
        var command = envelope(at: time)
        command.deleteVariable = request
        return command
    }

    public static func envelope(at time: Date) -> Caravan_V1_StateCommand {
        var command = Caravan_V1_StateCommand()
        command.version = currentVersion
        command.proposedAt = Google_Protobuf_Timestamp(date: time)
        return command
    }
}
