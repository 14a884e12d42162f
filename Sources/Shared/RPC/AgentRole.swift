import X509

/// The role an agent certificate grants, carried as the DNS SAN `<role>.<region>.caravan`.
///
/// Every RPC checks the caller's role: only servers speak Raft, only clients call the node agent API, and so on.
public enum AgentRole: String, Sendable, CaseIterable, Codable {
    case server
    case client
    case mesh
    case cli

    /// The DNS SAN that proves this role in `region`, e.g. `server.global.caravan`.
    public func dnsName(region: String) -> String {
        "\(rawValue).\(region).caravan"
    }
}

/// Who a peer is, as read from its verified certificate.
public struct AgentIdentity: Sendable, Hashable, CustomStringConvertible {
    public var role: AgentRole
    public var region: String

    public init(role: AgentRole, region: String) {
        self.role = role
        self.region = region
    }

    public var description: String { role.dnsName(region: region) }

    /// Parses `<role>.<region>.caravan`; nil for any other name.
    public init?(dnsName: String) {
        let labels = dnsName.lowercased().split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count == 3, labels[2] == "caravan", let role = AgentRole(rawValue: String(labels[0])),
            RegionName.isValid(String(labels[1]))
        else { return nil }
        self.init(role: role, region: String(labels[1]))
    }

    /// Every agent identity a certificate carries in its DNS SANs.
    public static func all(in certificate: Certificate) -> [AgentIdentity] {
        guard let names = try? certificate.extensions.subjectAlternativeNames else { return [] }
        return names.compactMap { name in
            if case .dnsName(let dns) = name { return AgentIdentity(dnsName: dns) }
            return nil
        }
    }
}

/// Region and datacenter names: lowercase letters, digits and dashes, as they appear in DNS labels.
public enum RegionName {
    public static func isValid(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 63, name.first != "-", name.last != "-" else { return false }
        return name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "-")
        }
    }
}
