import CaravanProto
import Foundation
import X509

extension ConnectCARoot {
    /// How long a cross-signed intermediate lives: long enough for every peer to learn the new root and for
    /// leaves served with it (72 h by default) to be renewed, short enough that the old key's vouching ends soon.
    public static let defaultCrossSignValidity: TimeInterval = 7 * 86_400

    /// The new root's certificate re-issued by the old root: same subject, public key and key identifier, but
    /// signed by the old key.
    ///
    /// During a rotation the new root's `intermediate_certs_pem` holds it and leaves are served as
    /// leaf + intermediate, so a peer that still trusts only the old root can verify leaves the new key signs,
    /// while a peer that already trusts the new root finds its anchor directly.
    public static func crossSign(
        newRoot: Caravan_V1_CARoot,
        byOldRootPEM oldRootPEM: String,
        oldKeyPEM: String,
        now: Date,
        validity: TimeInterval = defaultCrossSignValidity
    ) throws(ConnectCAError) -> String {
        let newCertificate = try CertificatePEM.certificate(newRoot.rootCertPem, what: "the new root certificate")
        let oldCertificate = try CertificatePEM.certificate(oldRootPEM, what: "the old root certificate")
        let oldKey = try CertificatePEM.caPrivateKey(oldKeyPEM, what: "the old root's key")
        guard oldKey.publicKey == oldCertificate.publicKey else {
            throw .keyDoesNotMatchCertificate(what: "the old root certificate")
        }
        guard validity > 0 else {
            throw .invalidArgument("the cross-signed certificate's validity must be positive, got \(validity) s")
        }
        guard now < oldCertificate.notValidAfter else {
            throw .issuerExpired(what: "the old root", notAfter: oldCertificate.notValidAfter)
        }
        let notAfter = min(
            now.addingTimeInterval(validity), oldCertificate.notValidAfter, newCertificate.notValidAfter)

        let certificate: Certificate
        do {
            let sans = try newCertificate.extensions.subjectAlternativeNames
            let extensions = try Certificate.Extensions {
                // Path length 0: the intermediate signs leaves only.
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(keyIdentifier: CertificatePEM.subjectKeyIdentifier(of: newCertificate))
                AuthorityKeyIdentifier(keyIdentifier: CertificatePEM.subjectKeyIdentifier(of: oldCertificate))
                if let sans { sans }
            }
            certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: newCertificate.publicKey,
                notValidBefore: now.addingTimeInterval(-60),
                notValidAfter: notAfter,
                issuer: oldCertificate.subject,
                subject: newCertificate.subject,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: extensions,
                issuerPrivateKey: oldKey
            )
        } catch {
            throw .certificateCreationFailed("\(error)")
        }
        return try CertificatePEM.pem(certificate)
    }
}
