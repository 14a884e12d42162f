import CaravanProto

/// The attributes of one HTTP request that L7 permissions look at, prepared once per request.
///
/// The method is upper-cased, the path loses its query string and fragment (permissions match the path alone, as
/// Envoy's RBAC does), and header names are lower-cased because HTTP header names are case-insensitive.
public struct IntentionHTTPRequest: Sendable, Equatable {
    public let method: String
    public let path: String
    /// Lower-cased name to value; values of names that differ only in case are joined with ", " as HTTP allows.
    public let headers: [String: String]

    public init(method: String, path: String, headers: [String: String] = [:]) {
        self.method = method.uppercased()
        let end = path.firstIndex { $0 == "?" || $0 == "#" } ?? path.endIndex
        self.path = String(path[..<end])
        var lowered: [String: String] = [:]
        for name in headers.keys.sorted() {
            let value = headers[name] ?? ""
            lowered[name.lowercased()] = lowered[name.lowercased()].map { "\($0), \(value)" } ?? value
        }
        self.headers = lowered
    }

    public init(_ proto: Caravan_V1_IntentionCheckHTTP) {
        self.init(method: proto.method, path: proto.path, headers: proto.headers)
    }

    /// The value of the header `lowercasedName`.
    public func header(_ lowercasedName: String) -> String? {
        headers[lowercasedName]
    }
}
