import CaravanProto

/// What a read sees: the tables as of one applied index, read-only.
///
/// Reads get a view rather than the `StateMachine` so no reader can apply or restore. The tables are value
/// types, so making a view copies nothing until the machine next writes.
public struct StateView: Sendable {
    /// The last Raft index the tables reflect.
    public let appliedIndex: UInt64
    public let variables: VariablesTable

    public init(appliedIndex: UInt64, variables: VariablesTable) {
        self.appliedIndex = appliedIndex
        self.variables = variables
    }
}
