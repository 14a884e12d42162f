import CaravanProto
import CaravanRPC
import Crypto
import Foundation
import Testing
import X509

@Suite("Connect CA roots")
struct ConnectCARootTests {
    @Test("a generated root is a self-signed P-256 CA carrying the trust domain and described by its CARoot")
    func generatedRoot() throws {
        let (root, keyPEM) = try ConnectCARoot.generate(
            trustDomain: ConnectCAFixtures.trustDomain, name: "Caravan CA 7", now: ConnectCAFixtures.now)
        let certificate = try Certificate(pemEncoded: root.rootCertPem)
        let key = try Certificate.PrivateKey(pemEncoded: keyPEM)

        #expect(key.publicKey == certificate.publicKey)
        #expect(P256.Signing.PublicKey(certificate.publicKey) != nil)
        #expect(certificate.issuer == certificate.subject)
        #expect(certificate.publicKey.isValidSignature(certificate.signature, for: certificate))
        #expect(certificate.subject.description.contains("CN=Caravan CA 7"))
        #expect(try certificate.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: nil))
        let usage = try #require(try certificate.extensions.keyUsage)
        #expect(usage.keyCertSign && usage.cRLSign && !usage.digitalSignature)
        let ski = try #require(try certificate.extensions.subjectKeyIdentifier)
        let sans = try #require(try certificate.extensions.subjectAlternativeNames)
        #expect(Array(sans) == [.uniformResourceIdentifier("spiffe://\(ConnectCAFixtures.trustDomain)")])

        #expect(root.name == "Caravan CA 7")
        #expect(root.active)
        #expect(root.trustDomain == ConnectCAFixtures.trustDomain)
        #expect(root.id == (try ConnectCARoot.id(ofRootPEM: root.rootCertPem)))
        #expect(root.id.split(separator: ":").count == 32)
        #expect(root.signingKeyID == ski.keyIdentifier.map { String(format: "%02x", $0) }.joined(separator: ":"))
        let serialHex = certificate.serialNumber.bytes.drop { $0 == 0 }.map { String(format: "%02x", $0) }
        #expect(root.serialNumber == serialHex.joined(separator: ":"))
        #expect(root.notBefore.date == certificate.notValidBefore)
        #expect(root.notAfter.date == certificate.notValidAfter)
        #expect(root.notBefore.date <= ConnectCAFixtures.now)
        let years = root.notAfter.date.timeIntervalSince(ConnectCAFixtures.now) / (365 * 86_400)
        #expect(years > 9.99 && years < 10.01)
    }

    @Test("the root ID is stable for the same certificate and differs between roots")
    func stableID() throws {
        let first = try ConnectCAFixtures.root(1)
        let second = try ConnectCAFixtures.root(2)
        #expect(try ConnectCARoot.id(ofRootPEM: first.root.rootCertPem) == first.root.id)
        #expect(first.root.id != second.root.id)
        #expect(first.root.signingKeyID != second.root.signingKeyID)
    }

    @Test("generated trust domains are <uuid>.caravan and unique")
    func trustDomain() {
        let domain = ConnectCARoot.generateTrustDomain()
        #expect(domain.hasSuffix(".caravan"))
        #expect(UUID(uuidString: String(domain.dropLast(".caravan".count))) != nil)
        #expect(domain != ConnectCARoot.generateTrustDomain())
    }

    @Test("an unusable trust domain, empty name or non-positive validity is refused")
    func badArguments() {
        #expect(throws: ConnectCAError.self) {
            try ConnectCARoot.generate(trustDomain: "bad/domain", name: "Caravan CA 1", now: ConnectCAFixtures.now)
        }
        #expect(throws: ConnectCAError.self) {
            try ConnectCARoot.generate(trustDomain: "td", name: " ", now: ConnectCAFixtures.now)
        }
        #expect(throws: ConnectCAError.self) {
            try ConnectCARoot.generate(trustDomain: "td", name: "CA", now: ConnectCAFixtures.now, validity: 0)
        }
    }
}
