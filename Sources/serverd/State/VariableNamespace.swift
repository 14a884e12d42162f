/// Namespace names for variables, following Nomad's: "" means "default".
public enum VariableNamespace {
    public static let defaultName = "default"
    public static let maximumLength = 128

    /// The namespace a request names, with "" read as "default".
    public static func normalized(_ namespace: String) -> String {
        namespace.isEmpty ? defaultName : namespace
    }

    /// What is wrong with `namespace` (after normalizing), as a sentence naming it; nil when it is valid.
    ///
    /// Names are 1 to 128 letters, digits and `-`, as in Nomad. The wildcard `*` is not a namespace.
    public static func problem(with namespace: String) -> String? {
        let name = normalized(namespace)
        let valid =
            name.count <= maximumLength
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        return valid ? nil : "namespace \"\(name)\" is invalid: use 1 to 128 letters, digits and -"
    }
}
