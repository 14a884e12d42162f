/// The verdict on a history.
public enum LinearizabilityResult: Equatable, Sendable {
    case linearizable
    /// No order of the operations is consistent with both real time and the model.
    case notLinearizable(LinearizabilityFailure)
    /// The budget ran out before the search finished; the history may or may not be linearizable.
    case unknown(reason: String)

    public var isLinearizable: Bool { self == .linearizable }
}

/// Why a history could not be linearized, reduced to the context a reader needs.
///
/// The search keeps the longest prefix it managed to linearize; the failure names the operation that could not
/// be placed before it returned, the state the prefix left behind, and the other operations that were in flight.
public struct LinearizabilityFailure: Equatable, Sendable, CustomStringConvertible {
    /// The partition (for example the key) whose sub-history failed.
    public var partition: String
    /// How many operations with a known return the partition holds.
    public var operationCount: Int
    /// How many of those the longest linearizable prefix contains.
    public var longestPrefix: Int
    /// The last few operations of that prefix, oldest first.
    public var lastLinearized: [String]
    /// The model state after the prefix.
    public var state: String
    /// The operation that returned before it could be linearized.
    public var blocked: String
    /// Other operations that could have been linearized next, none of which led anywhere (capped).
    public var inFlight: [String]

    public init(
        partition: String, operationCount: Int, longestPrefix: Int, lastLinearized: [String], state: String,
        blocked: String, inFlight: [String]
    ) {
        self.partition = partition
        self.operationCount = operationCount
        self.longestPrefix = longestPrefix
        self.lastLinearized = lastLinearized
        self.state = state
        self.blocked = blocked
        self.inFlight = inFlight
    }

    public var description: String {
        var lines = [
            "\(partition): not linearizable; longest linearizable prefix holds \(longestPrefix) of "
                + "\(operationCount) completed operations"
        ]
        if !lastLinearized.isEmpty {
            lines.append("  last linearized:")
            lines += lastLinearized.map { "    \($0)" }
        }
        lines.append("  state then: \(state)")
        lines.append("  cannot be placed before it returned: \(blocked)")
        if !inFlight.isEmpty {
            lines.append("  also in flight, none fits:")
            lines += inFlight.map { "    \($0)" }
        }
        return lines.joined(separator: "\n")
    }
}
