import CaravanProto
import CaravanRPC
import Foundation
import Testing
import X509

@Suite("Connect CA root rotation")
struct RootRotationTests {
    /// Old root 1, new root 2 cross-signed by 1, and a leaf the new root signed, served with the intermediate.
    struct Rotation {
        var old: ConnectCAFixtures.Root
        var new: ConnectCAFixtures.Root
        var crossSigned: String
        var newLeaf: Caravan_V1_LeafCert

        init() throws {
            old = try ConnectCAFixtures.root(1)
            new = try ConnectCAFixtures.root(2)
            crossSigned = try ConnectCARoot.crossSign(
                newRoot: new.root, byOldRootPEM: old.root.rootCertPem, oldKeyPEM: old.keyPEM,
                now: ConnectCAFixtures.now)
            new.root.intermediateCertsPem = [crossSigned]
            newLeaf = try ConnectCAFixtures.leaf(from: new, intermediates: new.root.intermediateCertsPem)
        }
    }

    @Test("the cross-signed certificate has the new root's subject and key and is signed by the old root")
    func crossSignedShape() throws {
        let rotation = try Rotation()
        let intermediate = try Certificate(pemEncoded: rotation.crossSigned)
        let oldCertificate = try Certificate(pemEncoded: rotation.old.root.rootCertPem)
        let newCertificate = try Certificate(pemEncoded: rotation.new.root.rootCertPem)
        #expect(intermediate.subject == newCertificate.subject)
        #expect(intermediate.publicKey == newCertificate.publicKey)
        #expect(intermediate.issuer == oldCertificate.subject)
        #expect(oldCertificate.publicKey.isValidSignature(intermediate.signature, for: intermediate))
        #expect(try intermediate.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
        #expect(
            try intermediate.extensions.subjectKeyIdentifier == newCertificate.extensions.subjectKeyIdentifier)
        let aki = try #require(try intermediate.extensions.authorityKeyIdentifier)
        #expect(aki.keyIdentifier == (try oldCertificate.extensions.subjectKeyIdentifier)?.keyIdentifier)
        let days = intermediate.notValidAfter.timeIntervalSince(ConnectCAFixtures.now) / 86_400
        #expect(days > 6.99 && days < 7.01)
    }

    @Test("the new leaf is served as leaf + cross-signed intermediate")
    func servedChain() throws {
        let rotation = try Rotation()
        let chain = try ConnectCAFixtures.certificates(rotation.newLeaf.certPem)
        #expect(chain.count == 2)
        #expect(chain.last == (try Certificate(pemEncoded: rotation.crossSigned)))
        #expect(rotation.newLeaf.rootID == rotation.new.root.id)
    }

    @Test("a leaf of the new root verifies against the old root alone")
    func newLeafTrustedByOldRoot() async throws {
        let rotation = try Rotation()
        let outcome = await LeafCertificateCheck.verify(
            chainPEM: rotation.newLeaf.certPem, roots: [rotation.old.root], now: ConnectCAFixtures.now)
        guard case .valid(_, let rootID) = outcome else {
            Issue.record("expected valid, got \(outcome)")
            return
        }
        #expect(rootID == rotation.old.root.id)
    }

    @Test("a leaf of the new root verifies against the new root alone")
    func newLeafTrustedByNewRoot() async throws {
        let rotation = try Rotation()
        let outcome = await LeafCertificateCheck.verify(
            chainPEM: rotation.newLeaf.certPem, roots: [rotation.new.root], now: ConnectCAFixtures.now)
        guard case .valid(let leaf, let rootID) = outcome else {
            Issue.record("expected valid, got \(outcome)")
            return
        }
        #expect(rootID == rotation.new.root.id)
        #expect(leaf.issuingRoot(in: [rotation.old.root, rotation.new.root])?.id == rotation.new.root.id)
    }

    @Test("a leaf of the old root still verifies while the old root is in the trust set")
    func oldLeafDuringRotation() async throws {
        let rotation = try Rotation()
        let oldLeaf = try ConnectCAFixtures.leaf(from: rotation.old)
        var retired = rotation.old.root
        retired.active = false
        let outcome = await LeafCertificateCheck.verify(
            chainPEM: oldLeaf.certPem, roots: [retired, rotation.new.root], now: ConnectCAFixtures.now)
        guard case .valid(_, let rootID) = outcome else {
            Issue.record("expected valid, got \(outcome)")
            return
        }
        #expect(rootID == rotation.old.root.id)

        let afterRemoval = await LeafCertificateCheck.verify(
            chainPEM: oldLeaf.certPem, roots: [rotation.new.root], now: ConnectCAFixtures.now)
        guard case .invalid = afterRemoval else {
            Issue.record("an old leaf must not verify once its root left the trust set: \(afterRemoval)")
            return
        }
    }

    @Test("cross-signing with a key that is not the old root's is refused")
    func wrongOldKey() throws {
        let rotation = try Rotation()
        #expect(throws: ConnectCAError.keyDoesNotMatchCertificate(what: "the old root certificate")) {
            try ConnectCARoot.crossSign(
                newRoot: rotation.new.root, byOldRootPEM: rotation.old.root.rootCertPem,
                oldKeyPEM: rotation.new.keyPEM, now: ConnectCAFixtures.now)
        }
    }
}
