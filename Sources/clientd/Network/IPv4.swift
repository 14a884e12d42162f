/// An IPv4 address as a number, so subnets can be walked and compared without string handling.
public struct IPv4Address: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let value: UInt32

    public init(_ value: UInt32) { self.value = value }

    /// Parses dotted-quad text ("172.26.64.2"); nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ ("0"..."9").contains($0) }), let octet = UInt8(part)
            else {
                return nil
            }
            value = value << 8 | UInt32(octet)
        }
        self.value = value
    }

    public var description: String {
        "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
    }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let address = IPv4Address(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not IPv4: \(text)"))
        }
        self = address
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// An IPv4 block such as 172.26.64.0/20: the bridge takes its first host address (the allocations' gateway) and
/// allocations get the rest, never the network or broadcast address.
public struct IPv4Subnet: Sendable, Hashable, CustomStringConvertible {
    public let network: IPv4Address
    public let prefixLength: Int

    /// Parses "a.b.c.d/n" with n from 8 to 30 (a bridge needs room for a gateway and at least one allocation);
    /// host bits must be zero.
    public init?(cidr: String) {
        let parts = cidr.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(String(parts[0])),
            parts[1].allSatisfy({ ("0"..."9").contains($0) }), let length = Int(parts[1]), (8...30).contains(length)
        else { return nil }
        let mask = Self.mask(length)
        guard address.value & ~mask == 0 else { return nil }
        network = address
        prefixLength = length
    }

    static func mask(_ length: Int) -> UInt32 { length == 0 ? 0 : UInt32.max << (32 - length) }

    public var description: String { "\(network)/\(prefixLength)" }

    public var broadcast: IPv4Address { IPv4Address(network.value | ~Self.mask(prefixLength)) }

    /// The bridge's own address, which allocations route through.
    public var gateway: IPv4Address { IPv4Address(network.value + 1) }

    /// Addresses allocations can get: every host address but the gateway.
    public var capacity: Int { Int(broadcast.value - network.value) - 2 }

    public func contains(_ address: IPv4Address) -> Bool {
        address.value & Self.mask(prefixLength) == network.value
    }

    /// The lowest allocation address not in `taken`, or nil when the subnet is full.
    public func firstFree(excluding taken: Set<IPv4Address>) -> IPv4Address? {
        guard capacity > 0 else { return nil }
        var candidate = gateway.value + 1
        while candidate < broadcast.value {
            if !taken.contains(IPv4Address(candidate)) { return IPv4Address(candidate) }
            candidate += 1
        }
        return nil
    }
}
