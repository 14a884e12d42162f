import CaravanProto

/// The seam between the services and Raft: propose commands to the replicated log, read the applied state.
///
/// The Raft driver implements it for real; `LocalReplicatedState` implements it in one process for tests.
/// Services depend only on this, so they never see terms, peers or log storage.
public protocol ReplicatedState: Sendable {
    /// Proposes `command` through Raft (a follower forwards it to the leader) and returns once it is committed
    /// and applied on this server. Throws (UNAVAILABLE with "no leader" while electing, say) when it cannot
    /// know whether the command committed or knows it did not; a refusal by the state machine is not thrown but
    /// returned in the result.
    func propose(_ command: Caravan_V1_StateCommand) async throws -> AppliedCommand

    /// Runs `body` against the applied state: after a linearizable read barrier (every write acknowledged before
    /// the call is visible), or, with `stale`, against this server's state as it is.
    func read<Value: Sendable>(
        stale: Bool,
        _ body: @Sendable (StateView) throws -> Value
    ) async throws -> ReadResult<Value>
}

/// A command that committed and applied: its Raft index and what applying it produced.
public struct AppliedCommand: Sendable, Equatable {
    public var index: UInt64
    public var result: Caravan_V1_StateCommandResult

    public init(index: UInt64, result: Caravan_V1_StateCommandResult) {
        self.index = index
        self.result = result
    }
}

/// What a read returned, with the index it reflects and whether this server knew a leader (for `QueryMeta`).
public struct ReadResult<Value: Sendable>: Sendable {
    public var value: Value
    /// The applied index the read saw.
    public var index: UInt64
    public var knownLeader: Bool

    public init(value: Value, index: UInt64, knownLeader: Bool) {
        self.value = value
        self.index = index
        self.knownLeader = knownLeader
    }
}
