/// The names a compiled chain uses for its nodes and targets, and the TLS identities of its targets.
enum ChainNaming {
    /// `<subset>.<service>.<namespace>.<datacenter>`, the subset part left out when empty.
    static func targetID(service: String, subset: String, namespace: String, datacenter: String) -> String {
        dotted(subset, service, namespace, datacenter)
    }

    /// `<subset>.<service>.<namespace>.<datacenter>.internal.<trustDomain>`, the SNI a caller presents.
    static func sni(service: String, subset: String, namespace: String, datacenter: String, trustDomain: String)
        -> String
    {
        dotted(subset, service, namespace, datacenter, "internal", trustDomain)
    }

    /// The identity every instance of `service` carries in its leaf certificate.
    static func spiffeID(service: String, namespace: String, datacenter: String, trustDomain: String) -> String {
        "spiffe://\(trustDomain)/ns/\(namespace)/dc/\(datacenter)/svc/\(service)"
    }

    static func routerNode(_ service: String) -> String { "router:\(service)" }
    static func splitterNode(_ service: String) -> String { "splitter:\(service)" }
    static func resolverNode(_ targetID: String) -> String { "resolver:\(targetID)" }

    private static func dotted(_ parts: String...) -> String {
        parts.filter { !$0.isEmpty }.joined(separator: ".")
    }
}
