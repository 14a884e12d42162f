import CaravanProto

/// A `ReplicatedState` in one process: each proposal is encoded, applied at once at the next index, and read back.
///
/// Not replicated and not durable — there is no log, no quorum and no leader but itself. It exists so services
/// and their tests run against the real `StateMachine` without Raft, and as the reference for what the Raft
/// driver must look like from above: same bytes in, same results out, indexes increasing by one.
public actor LocalReplicatedState: ReplicatedState {
    private let machine = StateMachine()

    /// `observer` is told what each applied entry changed, as the Raft driver's machine tells the watches.
    public init(observer: (@Sendable (StateChange) -> Void)? = nil) {
        machine.changeObserver = observer
    }

    public func propose(_ command: Caravan_V1_StateCommand) throws -> AppliedCommand {
        let entry: [UInt8] = try command.serializedBytes()
        let index = machine.lastAppliedIndex + 1
        return AppliedCommand(index: index, result: machine.apply(entryData: entry, index: index))
    }

    public func read<Value: Sendable>(
        stale: Bool,
        _ body: @Sendable (StateView) throws -> Value
    ) throws -> ReadResult<Value> {
        let view = machine.view
        return ReadResult(value: try body(view), index: view.appliedIndex, knownLeader: true)
    }
}
