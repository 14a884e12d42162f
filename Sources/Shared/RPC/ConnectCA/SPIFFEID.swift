/// The identity a workload certificate proves: `spiffe://<trust-domain>/ns/default/dc/<dc>/svc/<service>`.
///
/// Proxies authorize each other by this URI SAN, so it is parsed strictly: any other shape (another namespace,
/// extra path segments, a query) is not a Caravan service identity.
public struct SPIFFEID: Sendable, Hashable, CustomStringConvertible {
    /// Caravan has one namespace; the segment stays in the URI so identities read like Consul's.
    public static let namespace = "default"

    public var trustDomain: String
    public var datacenter: String
    public var service: String

    public init(trustDomain: String, datacenter: String, service: String) {
        self.trustDomain = trustDomain
        self.datacenter = datacenter
        self.service = service
    }

    /// Parses a service identity URI; nil for anything that is not exactly that shape.
    public init?(uri: String) {
        let scheme = "spiffe://"
        guard uri.hasPrefix(scheme) else { return nil }
        let segments = uri.dropFirst(scheme.count).split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count == 7, segments[1] == "ns", segments[2] == Self.namespace, segments[3] == "dc",
            segments[5] == "svc"
        else { return nil }
        let trustDomain = String(segments[0])
        let datacenter = String(segments[4])
        let service = String(segments[6])
        guard [trustDomain, datacenter, service].allSatisfy(Self.isValidSegment) else { return nil }
        self.init(trustDomain: trustDomain, datacenter: datacenter, service: service)
    }

    public var uri: String {
        "spiffe://\(trustDomain)/ns/\(Self.namespace)/dc/\(datacenter)/svc/\(service)"
    }

    public var description: String { uri }

    /// The URI a CA root carries: the trust domain alone, `spiffe://<trust-domain>`.
    public static func signingURI(trustDomain: String) -> String {
        "spiffe://\(trustDomain)"
    }

    /// A reason the identity cannot be put in a certificate, or nil when every part is usable.
    public var problem: String? {
        for (label, value) in [("trust domain", trustDomain), ("datacenter", datacenter), ("service", service)]
        where !Self.isValidSegment(value) {
            return "invalid \(label) \"\(value)\": use letters, digits, '.', '-' and '_'"
        }
        return nil
    }

    /// One URI path segment (or the trust domain): non-empty, and only characters that need no escaping.
    static func isValidSegment(_ value: String) -> Bool {
        !value.isEmpty
            && value.unicodeScalars.allSatisfy { scalar in
                switch scalar {
                case "a"..."z", "A"..."Z", "0"..."9", "-", ".", "_": return true
                default: return false
                }
            }
    }
}
