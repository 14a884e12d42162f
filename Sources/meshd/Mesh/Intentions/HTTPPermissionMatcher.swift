import CaravanProto

/// The HTTP block of one L7 permission, compiled once so the proxy can test every request against it cheaply.
///
/// Every condition that is set must hold: the path (exact, prefix, or a regex over the whole path), one of the
/// methods (none listed = any), and every header condition.
public struct HTTPPermissionMatcher: Sendable {
    /// Why a permission cannot be enforced as written; the decider then denies rather than guess.
    public struct CompileError: Error, Sendable, Equatable {
        public let message: String
    }

    enum PathRule: Sendable {
        case any
        case exact(String)
        case prefix(String)
        case regex(WholeMatchRegex)
    }

    let path: PathRule
    /// Upper-cased; empty = any method.
    let methods: Set<String>
    let headers: [HTTPHeaderMatcher]
    /// What the permission matches, for decision reasons.
    public let summary: String

    public init(_ http: Caravan_V1_IntentionHTTPPermission) throws(CompileError) {
        let paths = [http.pathExact, http.pathPrefix, http.pathRegex].filter { !$0.isEmpty }
        guard paths.count <= 1 else {
            throw CompileError(message: "sets more than one of path_exact, path_prefix, path_regex")
        }
        if !http.pathExact.isEmpty {
            path = .exact(http.pathExact)
        } else if !http.pathPrefix.isEmpty {
            path = .prefix(http.pathPrefix)
        } else if !http.pathRegex.isEmpty {
            do {
                path = .regex(try WholeMatchRegex(http.pathRegex))
            } catch {
                throw CompileError(message: "path_regex \(error.description)")
            }
        } else {
            path = .any
        }
        methods = Set(http.methods.map { $0.uppercased() })
        var headers: [HTTPHeaderMatcher] = []
        for header in http.header {
            headers.append(try HTTPHeaderMatcher(header))
        }
        self.headers = headers
        summary = IntentionText.summary(http)
    }

    /// Whether `request` meets every condition.
    public func matches(_ request: IntentionHTTPRequest) -> Bool {
        let pathMatches =
            switch path {
            case .any: true
            case .exact(let exact): request.path == exact
            case .prefix(let prefix): request.path.hasPrefix(prefix)
            case .regex(let regex): regex.matches(request.path)
            }
        guard pathMatches else { return false }
        guard methods.isEmpty || methods.contains(request.method) else { return false }
        return headers.allSatisfy { $0.matches(request) }
    }
}
