import CaravanRPC
import Crypto
import Foundation
import Testing
import X509

@Suite("Workload keys and CSRs")
struct WorkloadKeyTests {
    @Test("the key ID is the same computed from the key, its CSR and the leaf signed for it")
    func keyIDAgrees() throws {
        let root = try ConnectCAFixtures.root()
        let (key, csrPEM) = try ConnectCAFixtures.csr("web")
        let leaf = try ConnectCAFixtures.leaf(from: root, csrPEM: csrPEM)
        let fromKey = WorkloadKey.keyID(key.publicKey)
        #expect(fromKey.count == 64)
        #expect(fromKey == HexOf.sha256(key.publicKey.derRepresentation))
        #expect(try WorkloadKey.keyID(csrPEM: csrPEM) == fromKey)
        #expect(try WorkloadKey.keyID(certificatePEM: leaf.certPem) == fromKey)
        #expect(WorkloadKey.keyID(WorkloadKey.makePrivateKey().publicKey) != fromKey)
    }

    @Test("a CSR is signed by its key and names the service")
    func csr() throws {
        let key = WorkloadKey.makePrivateKey()
        let request = try CertificateSigningRequest(pemEncoded: try WorkloadKey.csr(for: "web", key: key))
        #expect(request.publicKey == Certificate.PublicKey(key.publicKey))
        #expect(request.publicKey.isValidSignature(request.signature, for: request))
        #expect(request.subject.description.contains("CN=web"))
    }

    @Test("key IDs of malformed PEM fail with a PEM error")
    func malformed() {
        #expect(throws: ConnectCAError.self) { try WorkloadKey.keyID(csrPEM: "junk") }
        #expect(throws: ConnectCAError.self) { try WorkloadKey.keyID(certificatePEM: "") }
    }
}

enum HexOf {
    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
