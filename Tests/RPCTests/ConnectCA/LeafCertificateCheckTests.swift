import CaravanProto
import CaravanRPC
import Foundation
import Testing

@Suite("Checking a leaf a proxy presents again")
struct LeafCertificateCheckTests {
    @Test("parsing a served leaf yields its SPIFFE ID, serial, validity window, issuing root and key ID")
    func parse() throws {
        let root = try ConnectCAFixtures.root()
        let (key, csrPEM) = try ConnectCAFixtures.csr("api")
        let leafCert = try ConnectCAFixtures.leaf(from: root, service: "api", serial: 7, csrPEM: csrPEM)
        let leaf = try LeafCertificateCheck.parse(chainPEM: leafCert.certPem)
        #expect(
            leaf.spiffeID == SPIFFEID(trustDomain: ConnectCAFixtures.trustDomain, datacenter: "dc1", service: "api"))
        #expect(leaf.serial == 7)
        #expect(leaf.serialNumber == leafCert.serialNumber)
        #expect(leaf.validAfter == leafCert.validAfter.date)
        #expect(leaf.validBefore == leafCert.validBefore.date)
        #expect(leaf.authorityKeyID == root.root.signingKeyID)
        #expect(leaf.issuingRoot(in: [root.root])?.id == root.root.id)
        #expect(leaf.keyID == WorkloadKey.keyID(key.publicKey))
    }

    @Test("a current leaf of a trusted root is valid")
    func valid() async throws {
        let root = try ConnectCAFixtures.root()
        let leafCert = try ConnectCAFixtures.leaf(from: root)
        let outcome = await LeafCertificateCheck.verify(
            chainPEM: leafCert.certPem, roots: [root.root], now: ConnectCAFixtures.now.addingTimeInterval(3600))
        #expect(outcome == .valid(try LeafCertificateCheck.parse(chainPEM: leafCert.certPem), rootID: root.root.id))
    }

    @Test("an expired leaf is rejected")
    func expired() async throws {
        let root = try ConnectCAFixtures.root()
        let leafCert = try ConnectCAFixtures.leaf(from: root, ttl: 3600)
        let outcome = await LeafCertificateCheck.verify(
            chainPEM: leafCert.certPem, roots: [root.root], now: leafCert.validBefore.date.addingTimeInterval(1))
        guard case .invalid(let reason) = outcome else {
            Issue.record("expected invalid, got \(outcome)")
            return
        }
        #expect(reason.contains("expired"))
    }

    @Test("a leaf that is not valid yet is rejected")
    func notYetValid() async throws {
        let root = try ConnectCAFixtures.root()
        let leafCert = try ConnectCAFixtures.leaf(from: root)
        let outcome = await LeafCertificateCheck.verify(
            chainPEM: leafCert.certPem, roots: [root.root], now: ConnectCAFixtures.now.addingTimeInterval(-3600))
        guard case .invalid(let reason) = outcome else {
            Issue.record("expected invalid, got \(outcome)")
            return
        }
        #expect(reason.contains("not valid before"))
    }

    @Test("a leaf from an unknown root is rejected")
    func unknownRoot() async throws {
        let trusted = try ConnectCAFixtures.root(1)
        let stranger = try ConnectCAFixtures.root(2)
        let leafCert = try ConnectCAFixtures.leaf(from: stranger)
        let outcome = await LeafCertificateCheck.verify(
            chainPEM: leafCert.certPem, roots: [trusted.root], now: ConnectCAFixtures.now)
        guard case .invalid(let reason) = outcome else {
            Issue.record("expected invalid, got \(outcome)")
            return
        }
        #expect(reason.contains("does not chain to a trusted CA root"))
    }

    @Test("a leaf from a root with the same name but another key is rejected")
    func impostorRoot() async throws {
        let trusted = try ConnectCAFixtures.root(1)
        let impostor = try ConnectCAFixtures.root(1)
        let leafCert = try ConnectCAFixtures.leaf(from: impostor)
        let outcome = await LeafCertificateCheck.verify(
            chainPEM: leafCert.certPem, roots: [trusted.root], now: ConnectCAFixtures.now)
        #expect(outcome != .valid(try LeafCertificateCheck.parse(chainPEM: leafCert.certPem), rootID: trusted.root.id))
        guard case .invalid = outcome else {
            Issue.record("expected invalid, got \(outcome)")
            return
        }
    }

    @Test("a CA certificate or garbage presented as a leaf is rejected")
    func notALeaf() async throws {
        let root = try ConnectCAFixtures.root()
        let asLeaf = await LeafCertificateCheck.verify(
            chainPEM: root.root.rootCertPem, roots: [root.root], now: ConnectCAFixtures.now)
        guard case .invalid = asLeaf else {
            Issue.record("a root must not pass as a leaf: \(asLeaf)")
            return
        }
        let garbage = await LeafCertificateCheck.verify(
            chainPEM: "nope", roots: [root.root], now: ConnectCAFixtures.now)
        guard case .invalid(let reason) = garbage else {
            Issue.record("expected invalid, got \(garbage)")
            return
        }
        #expect(reason.contains("not valid PEM"))
    }
}
