// @unchecked Sendable: the regex is immutable once built, and the standard library compiles its program lazily with
// an atomic one-time initialization. `Regex<AnyRegexOutput>` is not Sendable only because its match results carry
// `Any` captures; this type shares no match results, it only answers whether a value matched.
/// A regular expression that must match a whole value (a path, a header value), compiled once.
///
/// L7 permissions match whole values, as Envoy's RBAC does: `/api/.*` matches `/api/v1` but `api` does not match
/// `/api`. Compiling once lets the proxy reuse it for every request.
public struct WholeMatchRegex: @unchecked Sendable {
    /// The pattern as written.
    public let pattern: String
    private let regex: Regex<AnyRegexOutput>

    /// Why a pattern did not compile.
    public struct InvalidPattern: Error, Sendable, CustomStringConvertible {
        public let pattern: String
        public let reason: String
        public var description: String { "\"\(pattern)\" is not a valid regular expression: \(reason)" }
    }

    public init(_ pattern: String) throws(InvalidPattern) {
        do {
            regex = try Regex(pattern)
        } catch {
            throw InvalidPattern(pattern: pattern, reason: String(describing: error))
        }
        self.pattern = pattern
    }

    /// Whether the pattern matches all of `value`.
    public func matches(_ value: String) -> Bool {
        // A match that throws (it cannot for patterns without custom components) counts as no match.
        ((try? regex.wholeMatch(in: value)) ?? nil) != nil
    }
}
