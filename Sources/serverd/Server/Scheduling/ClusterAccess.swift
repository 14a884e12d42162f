import CaravanProto
import CaravanRPC
import State

/// What the leader's duties need from consensus: the latest applied state, and writes that must be made by
/// this server as leader (a plan verified here must not be committed by anybody else).
public protocol ClusterAccess: Sendable {
    /// The state as applied on this server right now (no read barrier: the leader's own state).
    func latestView() async throws -> StateView
    /// Proposes `command` only if this server leads; throws otherwise.
    func proposeAsLeader(_ command: Caravan_V1_StateCommand) async throws -> AppliedCommand
    /// Returns once this server applied `index`.
    func waitUntilApplied(_ index: UInt64) async throws
}

/// `ClusterAccess` through the Raft driver.
public struct RaftClusterAccess: ClusterAccess {
    let handle: ConsensusHandle

    public init(handle: ConsensusHandle) {
        self.handle = handle
    }

    public func latestView() async throws -> StateView {
        try await handle.driver().withStateMachine { machine -> StateView in
            guard let machine = machine as? StateMachine else {
                throw CaravanError(.internalError, "the state machine is not Caravan's")
            }
            return machine.view
        }
    }

    public func proposeAsLeader(_ command: Caravan_V1_StateCommand) async throws -> AppliedCommand {
        let applied = try await handle.driver().proposeAsLeader(try command.serializedBytes())
        return AppliedCommand(index: applied.index, result: applied.result)
    }

    public func waitUntilApplied(_ index: UInt64) async throws {
        try await handle.driver().waitUntilApplied(index)
    }
}
