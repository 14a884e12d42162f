import CaravanProto
import State

/// What the Raft driver needs from the replicated state machine: apply committed commands in log order,
/// and copy or replace the whole state for snapshots. Every replica must compute the same result from the
/// same bytes, so `apply` may not consult clocks, randomness or anything local.
public protocol ConsensusStateMachine: AnyObject {
    /// Applies one committed command; a malformed one yields an error result, never a crash.
    func apply(entryData: [UInt8], index: UInt64) -> Caravan_V1_StateCommandResult
    /// Notes an entry without a command (a leader's no-op, a membership change) so the applied index follows.
    func markApplied(index: UInt64)
    /// The whole state, frozen now and encoded later (on another thread, so applying is not held up).
    func snapshotSource() -> StateSnapshotSource
    /// Replaces the whole state; on failure the state is unchanged.
    func restore(from data: [UInt8]) throws
}

extension StateMachine: ConsensusStateMachine {}
