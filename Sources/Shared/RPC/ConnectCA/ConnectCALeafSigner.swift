import CaravanProto
import Crypto
import Foundation
import SwiftProtobuf
import X509

/// Signs a proxy's CSR into a workload (leaf) certificate for one service.
///
/// The server decides the identity: the CSR only contributes its public key, and only after its own signature
/// proves the requester holds the matching private key. Whatever subject or SANs the CSR asks for are ignored;
/// the leaf carries exactly one URI SAN, the service's SPIFFE ID.
public enum ConnectCALeafSigner {
    /// Three days, as Consul's default leaf TTL; proxies renew well before (see ``LeafRenewal``).
    public static let defaultTTL: TimeInterval = 72 * 3600

    /// Backdating that tolerates clock skew between the server and the peers that check the leaf: a minute, but
    /// never more than a tenth of the TTL, since proxies renew at 60-90 % of the whole validity window and a short
    /// leaf backdated a full minute would be due for renewal the moment it was signed.
    static func clockSkewAllowance(ttl: TimeInterval) -> TimeInterval { min(60, ttl / 10) }

    /// - Parameters:
    ///   - serial: unique per leaf; serverd passes the Raft index of the signing so serials never repeat.
    ///   - rootPEM, rootKeyPEM: the active root and its key, which sign the leaf.
    ///   - intermediatesPEM: certificates served after the leaf (during rotation, the active root cross-signed
    ///     by the previous one).
    ///   - rootID: `CARoot.id` of the active root, recorded in the result.
    public static func sign(
        csrPEM: String,
        service: String,
        datacenter: String,
        trustDomain: String,
        serial: UInt64,
        now: Date,
        ttl: TimeInterval = defaultTTL,
        rootPEM: String,
        rootKeyPEM: String,
        intermediatesPEM: [String] = [],
        rootID: String
    ) throws(ConnectCAError) -> Caravan_V1_LeafCert {
        let identity = SPIFFEID(trustDomain: trustDomain, datacenter: datacenter, service: service)
        if let problem = identity.problem { throw .invalidArgument(problem) }
        guard serial > 0 else { throw .invalidArgument("a leaf's serial number must be positive") }
        guard ttl > 0 else { throw .invalidArgument("a leaf's TTL must be positive, got \(ttl) s") }

        let request = try CertificatePEM.signingRequest(csrPEM)
        guard let workloadKey = P256.Signing.PublicKey(request.publicKey) else {
            throw .unsupportedKey(what: "the CSR's key", found: "\(request.publicKey)")
        }
        guard request.publicKey.isValidSignature(request.signature, for: request) else {
            throw .csrSignatureInvalid
        }

        let root = try CertificatePEM.certificate(rootPEM, what: "the root certificate")
        let rootKey = try CertificatePEM.caPrivateKey(rootKeyPEM, what: "the root's key")
        guard rootKey.publicKey == root.publicKey else {
            throw .keyDoesNotMatchCertificate(what: "the root certificate")
        }
        guard now < root.notValidAfter else { throw .issuerExpired(what: "the root", notAfter: root.notValidAfter) }
        var intermediates: [Certificate] = []
        for (index, pem) in intermediatesPEM.enumerated() {
            intermediates += try CertificatePEM.chain(pem, what: "intermediate \(index + 1)")
        }

        let leafKey = Certificate.PublicKey(workloadKey)
        let certificate: Certificate
        do {
            let subject = try DistinguishedName { CommonName(service) }
            let extensions = try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true, keyAgreement: true))
                try ExtendedKeyUsage([.serverAuth, .clientAuth])
                SubjectKeyIdentifier(hash: leafKey)
                AuthorityKeyIdentifier(keyIdentifier: CertificatePEM.subjectKeyIdentifier(of: root))
                SubjectAlternativeNames([.uniformResourceIdentifier(identity.uri)])
            }
            certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(serial),
                publicKey: leafKey,
                notValidBefore: now.addingTimeInterval(-clockSkewAllowance(ttl: ttl)),
                notValidAfter: min(now.addingTimeInterval(ttl), root.notValidAfter),
                issuer: root.subject,
                subject: subject,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: extensions,
                issuerPrivateKey: rootKey
            )
        } catch {
            throw .certificateCreationFailed("\(error)")
        }

        var chainPEM = try CertificatePEM.pem(certificate)
        for intermediate in intermediates {
            chainPEM += "\n" + (try CertificatePEM.pem(intermediate))
        }
        var leaf = Caravan_V1_LeafCert()
        leaf.serialNumber = HexText.serial(certificate.serialNumber.bytes)
        leaf.certPem = chainPEM + "\n"
        leaf.service = service
        leaf.spiffeID = identity.uri
        leaf.validAfter = Google_Protobuf_Timestamp(date: certificate.notValidBefore)
        leaf.validBefore = Google_Protobuf_Timestamp(date: certificate.notValidAfter)
        leaf.rootID = rootID
        return leaf
    }
}
