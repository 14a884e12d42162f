import CaravanProto

/// One compiled header condition of an L7 permission.
///
/// A missing header matches nothing — not even an inverted value matcher — except an inverted `present`, following
/// Envoy, which enforces Consul's L7 intentions: "not exact x" means "has the header with another value".
public struct HTTPHeaderMatcher: Sendable {
    enum Rule: Sendable {
        case present
        case exact(String)
        case prefix(String)
        case suffix(String)
        case regex(WholeMatchRegex)
    }

    /// Lower-cased header name.
    public let name: String
    let rule: Rule
    public let invert: Bool

    /// Compiles `match`; fails when its regex does not compile or it sets no condition.
    public init(_ match: Caravan_V1_HTTPHeaderMatch) throws(HTTPPermissionMatcher.CompileError) {
        name = match.name.lowercased()
        invert = match.invert
        if match.present {
            rule = .present
        } else if !match.exact.isEmpty {
            rule = .exact(match.exact)
        } else if !match.prefix.isEmpty {
            rule = .prefix(match.prefix)
        } else if !match.suffix.isEmpty {
            rule = .suffix(match.suffix)
        } else if !match.regex.isEmpty {
            do {
                rule = .regex(try WholeMatchRegex(match.regex))
            } catch {
                throw HTTPPermissionMatcher.CompileError(message: "header \(name): \(error.description)")
            }
        } else {
            throw HTTPPermissionMatcher.CompileError(message: "header \(name) sets no condition")
        }
    }

    /// Whether `request` meets this condition.
    public func matches(_ request: IntentionHTTPRequest) -> Bool {
        guard let value = request.header(name) else {
            if case .present = rule { return invert }
            return false
        }
        let matched =
            switch rule {
            case .present: true
            case .exact(let expected): value == expected
            case .prefix(let prefix): value.hasPrefix(prefix)
            case .suffix(let suffix): value.hasSuffix(suffix)
            case .regex(let regex): regex.matches(value)
            }
        return matched != invert
    }
}
