import CaravanProto

/// Who is on the other end of one ProxyConfig stream: the proxy's announced identity and the leaf it holds.
public struct ProxyRegistration: Sendable {
    public var proxyID: String
    public var service: String
    public var allocID: String
    public var namespace: String
    public var workloadToken: String
    public var leaf: Caravan_V1_LeafCert
    /// Which of the proxy's keys the leaf certifies (hex SHA-256 of its public key).
    public var keyID: String

    public init(
        proxyID: String, service: String, allocID: String, namespace: String = "default", workloadToken: String,
        leaf: Caravan_V1_LeafCert, keyID: String
    ) {
        self.proxyID = proxyID
        self.service = service
        self.allocID = allocID
        self.namespace = namespace
        self.workloadToken = workloadToken
        self.leaf = leaf
        self.keyID = keyID
    }

    /// The leaf's serial as a number: the Raft index that reserved it, which versions the snapshot too.
    var leafSerial: UInt64 {
        UInt64(leaf.serialNumber.replacingOccurrences(of: ":", with: ""), radix: 16) ?? 0
    }
}
