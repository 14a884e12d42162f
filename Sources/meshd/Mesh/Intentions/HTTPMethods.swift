/// The HTTP methods an L7 permission may name (the ones Consul and the config entry decoder accept).
public enum HTTPMethods {
    public static let known: [String] = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
    ]

    private static let knownSet = Set(known)

    /// Whether `method`, upper-cased, is a known method.
    public static func isKnown(_ method: String) -> Bool {
        knownSet.contains(method.uppercased())
    }
}
