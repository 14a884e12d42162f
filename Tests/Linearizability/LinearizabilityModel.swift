/// The sequential specification a concurrent history is checked against.
///
/// `step` returns every state the object may be in after applying `input` and answering `output`: several for a
/// nondeterministic step (an outcome the client never learned), none when the output is impossible.
public protocol LinearizabilityModel {
    associatedtype State: Hashable
    associatedtype Input
    associatedtype Output

    /// The state before any operation.
    func initial() -> State

    /// The possible states after `input` answered with `output`; empty when that answer is impossible.
    func step(_ state: State, _ input: Input, _ output: Output) -> [State]

    /// Splits a history into sub-histories on independent objects (for example one per key).
    ///
    /// A history is linearizable exactly when each part is (linearizability is compositional), and checking
    /// small parts is exponentially cheaper than checking the whole.
    func partition(_ history: [RecordedOperation<Input, Output>]) -> [HistoryPartition<Input, Output>]

    /// A short human-readable form of an operation, for failure explanations.
    func describe(_ input: Input, _ output: Output) -> String

    /// A short human-readable form of a state, for failure explanations.
    func describe(_ state: State) -> String
}

extension LinearizabilityModel {
    public func partition(_ history: [RecordedOperation<Input, Output>]) -> [HistoryPartition<Input, Output>] {
        [HistoryPartition(label: "history", operations: history)]
    }

    public func describe(_ input: Input, _ output: Output) -> String {
        "\(input) -> \(output)"
    }

    public func describe(_ state: State) -> String {
        String(describing: state)
    }
}

/// The operations on one independent object, named so a failure can say where it happened.
public struct HistoryPartition<Input, Output> {
    /// For example `key "jobs/web"`.
    public var label: String
    public var operations: [RecordedOperation<Input, Output>]

    public init(label: String, operations: [RecordedOperation<Input, Output>]) {
        self.label = label
        self.operations = operations
    }
}

extension HistoryPartition: Sendable where Input: Sendable, Output: Sendable {}
