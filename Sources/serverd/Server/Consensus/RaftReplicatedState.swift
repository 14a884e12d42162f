import CaravanProto
import CaravanRPC
import State

/// The services' view of consensus: commands go through the Raft leader, reads wait for a ReadIndex
/// barrier unless they accept stale data.
public struct RaftReplicatedState: ReplicatedState {
    let handle: ConsensusHandle

    public init(handle: ConsensusHandle) {
        self.handle = handle
    }

    public func propose(_ command: Caravan_V1_StateCommand) async throws -> AppliedCommand {
        let data: [UInt8] = try command.serializedBytes()
        let applied = try await handle.driver().propose(data)
        return AppliedCommand(index: applied.index, result: applied.result)
    }

    public func read<Value: Sendable>(
        stale: Bool, _ body: @Sendable (StateView) throws -> Value
    ) async throws -> ReadResult<Value> {
        let driver = try handle.driver()
        if !stale {
            _ = try await driver.readBarrier()
        }
        let view = try await driver.withStateMachine { machine -> StateView in
            guard let machine = machine as? StateMachine else {
                throw CaravanError(.internalError, "the state machine is not Caravan's")
            }
            return machine.view
        }
        let knownLeader = await driver.hasLeader
        return ReadResult(value: try body(view), index: view.appliedIndex, knownLeader: knownLeader)
    }
}
