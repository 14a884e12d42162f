import CaravanProto
import CaravanRPC
import Crypto
import Foundation
import SwiftASN1
import Testing
@_spi(FixedExpiryValidationTime) import X509

@Suite("Connect CA leaf signing")
struct ConnectCALeafSignerTests {
    @Test("a leaf signed from a CSR verifies against its root with X509's Verifier and has workload extensions")
    func leafVerifies() async throws {
        let root = try ConnectCAFixtures.root()
        let (key, csrPEM) = try ConnectCAFixtures.csr("web")
        let leaf = try ConnectCAFixtures.leaf(from: root, csrPEM: csrPEM)
        let certificate = try #require(try ConnectCAFixtures.certificates(leaf.certPem).first)
        let rootCertificate = try Certificate(pemEncoded: root.root.rootCertPem)

        var verifier = Verifier(rootCertificates: CertificateStore([rootCertificate])) {
            RFC5280Policy(fixedExpiryValidationTime: ConnectCAFixtures.now)
        }
        let result = await verifier.validate(leaf: certificate, intermediates: CertificateStore())
        guard case .validCertificate(let chain) = result else {
            Issue.record("leaf did not verify: \(result)")
            return
        }
        #expect(chain.root == rootCertificate)

        #expect(certificate.publicKey == Certificate.PublicKey(key.publicKey))
        #expect(try certificate.extensions.basicConstraints == .notCertificateAuthority)
        let usage = try #require(try certificate.extensions.keyUsage)
        #expect(usage.digitalSignature && usage.keyAgreement && !usage.keyCertSign)
        let extended = try #require(try certificate.extensions.extendedKeyUsage)
        #expect(extended.contains(.serverAuth) && extended.contains(.clientAuth))
        let aki = try #require(try certificate.extensions.authorityKeyIdentifier)
        let rootSKI = try #require(try rootCertificate.extensions.subjectKeyIdentifier)
        #expect(aki.keyIdentifier == rootSKI.keyIdentifier)

        let expectedID = "spiffe://\(ConnectCAFixtures.trustDomain)/ns/default/dc/dc1/svc/web"
        #expect(leaf.spiffeID == expectedID)
        #expect(leaf.service == "web")
        #expect(leaf.rootID == root.root.id)
    }

    @Test("the leaf carries exactly the SPIFFE URI SAN even when the CSR asked for other names")
    func ignoresRequestedNames() throws {
        let root = try ConnectCAFixtures.root()
        let key = P256.Signing.PrivateKey()
        let requested = try Certificate.Extensions {
            SubjectAlternativeNames([
                .dnsName("admin.example.com"), .uniformResourceIdentifier("spiffe://evil/ns/default/dc/dc1/svc/db"),
            ])
        }
        let request = try CertificateSigningRequest(
            version: .v1,
            subject: try DistinguishedName { CommonName("db") },
            privateKey: Certificate.PrivateKey(key),
            attributes: CertificateSigningRequest.Attributes([
                try CertificateSigningRequest.Attribute(ExtensionRequest(extensions: requested))
            ]),
            signatureAlgorithm: .ecdsaWithSHA256
        )
        let leaf = try ConnectCAFixtures.leaf(from: root, csrPEM: try request.serializeAsPEM().pemString)
        let certificate = try #require(try ConnectCAFixtures.certificates(leaf.certPem).first)
        let sans = try #require(try certificate.extensions.subjectAlternativeNames)
        #expect(Array(sans) == [.uniformResourceIdentifier(leaf.spiffeID)])
        #expect(leaf.spiffeID.hasSuffix("/svc/web"))
        #expect(!certificate.subject.description.contains("db"))
    }

    @Test("a CSR altered after signing is refused")
    func tamperedCSR() throws {
        let root = try ConnectCAFixtures.root()
        let original = try CertificateSigningRequest(pemEncoded: try ConnectCAFixtures.csr("web").pem)
        // The attacker keeps the signature but substitutes their own public key.
        let tampered = try CertificateSigningRequest(
            version: original.version,
            subject: original.subject,
            publicKey: Certificate.PublicKey(P256.Signing.PrivateKey().publicKey),
            attributes: original.attributes,
            signatureAlgorithm: original.signatureAlgorithm,
            signature: original.signature
        )
        #expect(throws: ConnectCAError.csrSignatureInvalid) {
            try ConnectCAFixtures.leaf(from: root, csrPEM: try tampered.serializeAsPEM().pemString)
        }
    }

    @Test("a CSR whose key is not P-256 is refused")
    func nonP256() throws {
        let root = try ConnectCAFixtures.root()
        let key = P384.Signing.PrivateKey()
        let request = try CertificateSigningRequest(
            version: .v1,
            subject: try DistinguishedName { CommonName("web") },
            privateKey: Certificate.PrivateKey(key),
            attributes: CertificateSigningRequest.Attributes(),
            signatureAlgorithm: .ecdsaWithSHA384
        )
        let error = #expect(throws: ConnectCAError.self) {
            try ConnectCAFixtures.leaf(from: root, csrPEM: try request.serializeAsPEM().pemString)
        }
        guard case .unsupportedKey = error else {
            Issue.record("expected unsupportedKey, got \(String(describing: error))")
            return
        }
        #expect(error?.description.contains("P-256") == true)
    }

    @Test("garbage instead of a CSR is refused with a PEM error")
    func garbageCSR() throws {
        let root = try ConnectCAFixtures.root()
        let error = #expect(throws: ConnectCAError.self) {
            try ConnectCAFixtures.leaf(from: root, csrPEM: "not a csr")
        }
        #expect(error?.description.hasPrefix("the CSR is not valid PEM") == true)
    }

    @Test("the leaf is valid from a minute (at most a tenth of the TTL) before now until now + TTL")
    func ttl() throws {
        let root = try ConnectCAFixtures.root()
        let leaf = try ConnectCAFixtures.leaf(from: root, ttl: 3600)
        #expect(leaf.validAfter.date == ConnectCAFixtures.now.addingTimeInterval(-60))
        #expect(leaf.validBefore.date == ConnectCAFixtures.now.addingTimeInterval(3600))
        let certificate = try #require(try ConnectCAFixtures.certificates(leaf.certPem).first)
        #expect(certificate.notValidAfter == leaf.validBefore.date)

        let defaultLeaf = try ConnectCAFixtures.leaf(from: root)
        #expect(defaultLeaf.validBefore.date == ConnectCAFixtures.now.addingTimeInterval(72 * 3600))

        // A short leaf is backdated a tenth of its TTL, so renewing at 60 % of its window is still in the future.
        let short = try ConnectCAFixtures.leaf(from: root, ttl: 6)
        // Certificates keep whole seconds.
        #expect(abs(short.validAfter.date.timeIntervalSince(ConnectCAFixtures.now) + 0.6) < 1)
        let renewAt = LeafRenewal.renewAt(
            validAfter: short.validAfter.date, validBefore: short.validBefore.date, fraction: 0.6)
        #expect(renewAt > ConnectCAFixtures.now)
    }

    @Test("the leaf's expiry is capped at the root's")
    func cappedAtRoot() throws {
        let root = try ConnectCAFixtures.root(validity: 2 * 3600)
        let leaf = try ConnectCAFixtures.leaf(from: root)
        #expect(leaf.validBefore.date == root.root.notAfter.date)
        #expect(leaf.validBefore.date == ConnectCAFixtures.now.addingTimeInterval(2 * 3600))
    }

    @Test("an expired root signs nothing")
    func expiredRoot() throws {
        let root = try ConnectCAFixtures.root(validity: 3600)
        let later = ConnectCAFixtures.now.addingTimeInterval(7200)
        #expect(throws: ConnectCAError.issuerExpired(what: "the root", notAfter: root.root.notAfter.date)) {
            try ConnectCAFixtures.leaf(from: root, at: later)
        }
    }

    @Test(
        "the serial is the number serverd passes, also for values with the top bit set",
        arguments: [
            (UInt64(1), "01"), (UInt64(0x1234), "12:34"), (UInt64.max, "ff:ff:ff:ff:ff:ff:ff:ff"),
        ])
    func serial(value: UInt64, hex: String) throws {
        let root = try ConnectCAFixtures.root()
        let leaf = try ConnectCAFixtures.leaf(from: root, serial: value)
        #expect(leaf.serialNumber == hex)
        let parsed = try LeafCertificateCheck.parse(chainPEM: leaf.certPem)
        #expect(parsed.serial == value)
        #expect(parsed.serialNumber == hex)
    }

    @Test("serial 0, a non-positive TTL, a bad service name and a mismatched root key are refused")
    func badArguments() throws {
        let root = try ConnectCAFixtures.root()
        let other = try ConnectCAFixtures.root(2)
        #expect(throws: ConnectCAError.self) { try ConnectCAFixtures.leaf(from: root, serial: 0) }
        #expect(throws: ConnectCAError.self) { try ConnectCAFixtures.leaf(from: root, ttl: 0) }
        #expect(throws: ConnectCAError.self) { try ConnectCAFixtures.leaf(from: root, service: "a/b") }
        let mixed = ConnectCAFixtures.Root(root: root.root, keyPEM: other.keyPEM)
        #expect(throws: ConnectCAError.keyDoesNotMatchCertificate(what: "the root certificate")) {
            try ConnectCAFixtures.leaf(from: mixed)
        }
    }
}
