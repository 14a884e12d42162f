import CaravanProto
import CaravanRPC
import Crypto
import Foundation
import SwiftASN1
import X509

/// Roots, CSRs and leaves made with real keys at a fixed instant, shared by the Connect CA tests.
enum ConnectCAFixtures {
    static let now = Date(timeIntervalSince1970: 1_750_000_000)
    static let trustDomain = "11111111-2222-3333-4444-555555555555.caravan"

    struct Root {
        var root: Caravan_V1_CARoot
        var keyPEM: String
    }

    static func root(
        _ number: Int = 1, at time: Date = now, validity: TimeInterval = ConnectCARoot.defaultValidity
    ) throws -> Root {
        let generated = try ConnectCARoot.generate(
            trustDomain: trustDomain, name: "Caravan CA \(number)", now: time, validity: validity)
        return Root(root: generated.root, keyPEM: generated.keyPEM)
    }

    static func csr(_ service: String = "web") throws -> (key: P256.Signing.PrivateKey, pem: String) {
        let key = WorkloadKey.makePrivateKey()
        return (key, try WorkloadKey.csr(for: service, key: key))
    }

    static func leaf(
        from root: Root,
        service: String = "web",
        serial: UInt64 = 42,
        at time: Date = now,
        ttl: TimeInterval = ConnectCALeafSigner.defaultTTL,
        intermediates: [String] = [],
        csrPEM: String? = nil
    ) throws -> Caravan_V1_LeafCert {
        try ConnectCALeafSigner.sign(
            csrPEM: try csrPEM ?? csr(service).pem,
            service: service,
            datacenter: "dc1",
            trustDomain: root.root.trustDomain,
            serial: serial,
            now: time,
            ttl: ttl,
            rootPEM: root.root.rootCertPem,
            rootKeyPEM: root.keyPEM,
            intermediatesPEM: intermediates,
            rootID: root.root.id
        )
    }

    static func certificates(_ pem: String) throws -> [Certificate] {
        try PEMDocument.parseMultiple(pemString: pem).map { try Certificate(pemDocument: $0) }
    }
}
