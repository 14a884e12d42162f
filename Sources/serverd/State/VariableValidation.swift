import CaravanRPC

/// Checks a variable write before it is proposed, and again when it is applied, with the same rules.
///
/// The service validates so bad input is refused before anything reaches Raft; the state machine validates
/// again because a committed entry may come from an older or buggy proposer and must still apply the same
/// way on every replica.
public enum VariableValidation {
    /// Throws INVALID_ARGUMENT listing every problem with a put of `items` at `path` in `namespace`.
    public static func validatePut(path: String, namespace: String, items: [String: String]) throws {
        var problems = addressProblems(path: path, namespace: namespace)
        if problems.isEmpty { problems += VariableItems.problems(with: items, path: path) }
        try throwIfAny(problems)
    }

    /// Throws INVALID_ARGUMENT when `path` in `namespace` cannot name a variable (reads and deletes).
    public static func validateAddress(path: String, namespace: String) throws {
        try throwIfAny(addressProblems(path: path, namespace: namespace))
    }

    static func addressProblems(path: String, namespace: String) -> [String] {
        [VariablePath.problem(with: path), VariableNamespace.problem(with: namespace)].compactMap { $0 }
    }

    static func throwIfAny(_ problems: [String]) throws {
        guard problems.isEmpty else { throw CaravanError.invalidArgument(problems.joined(separator: "; ")) }
    }
}
