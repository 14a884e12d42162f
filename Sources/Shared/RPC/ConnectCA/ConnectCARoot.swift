import CaravanProto
import Crypto
import Foundation
import SwiftProtobuf
import X509

/// Makes the Connect CA's root certificates: the trust anchors every proxy checks workload certificates against.
///
/// serverd keeps the returned key in Raft state (it never leaves the servers) and publishes the `CARoot`.
/// Roots are self-signed P-256 CAs carrying the trust domain as the URI SAN `spiffe://<trust-domain>`, as
/// Consul's do, so a peer can tell which mesh a root belongs to.
public enum ConnectCARoot {
    /// Ten years: roots are replaced by rotation, not by expiry.
    public static let defaultValidity: TimeInterval = 10 * 365 * 86_400

    /// A new root and its PEM private key.
    ///
    /// `name` becomes the subject's common name; give each root its own ("Caravan CA 1", "Caravan CA 2", …) so
    /// that a chain through a cross-signed intermediate names its issuers unambiguously.
    public static func generate(
        trustDomain: String,
        name: String,
        now: Date,
        validity: TimeInterval = defaultValidity
    ) throws(ConnectCAError) -> (root: Caravan_V1_CARoot, keyPEM: String) {
        guard SPIFFEID.isValidSegment(trustDomain) else {
            throw .invalidArgument("invalid trust domain \"\(trustDomain)\": use letters, digits, '.', '-' and '_'")
        }
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw .invalidArgument("a CA root needs a name")
        }
        guard validity > 0 else { throw .invalidArgument("the root's validity must be positive, got \(validity) s") }

        let key = P256.Signing.PrivateKey()
        let privateKey = Certificate.PrivateKey(key)
        let certificate: Certificate
        do {
            let subject = try DistinguishedName {
                OrganizationName("Caravan")
                CommonName(name)
            }
            let extensions = try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: privateKey.publicKey)
                SubjectAlternativeNames([.uniformResourceIdentifier(SPIFFEID.signingURI(trustDomain: trustDomain))])
            }
            certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: privateKey.publicKey,
                notValidBefore: now.addingTimeInterval(-60),
                notValidAfter: now.addingTimeInterval(validity),
                issuer: subject,
                subject: subject,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: extensions,
                issuerPrivateKey: privateKey
            )
        } catch {
            throw .certificateCreationFailed("\(error)")
        }
        var root = try describe(certificate, name: name, trustDomain: trustDomain)
        root.active = true
        return (root, key.pemRepresentation)
    }

    /// A fresh trust domain, `<uuid>.caravan`, chosen once when the CA is first initialized.
    public static func generateTrustDomain() -> String {
        "\(UUID().uuidString.lowercased()).caravan"
    }

    /// The stable ID of a root: the SHA-256 fingerprint of its DER encoding, lowercase hex, colon-separated.
    public static func id(ofRootPEM pem: String) throws(ConnectCAError) -> String {
        try fingerprint(CertificatePEM.certificate(pem, what: "the root certificate"))
    }

    static func fingerprint(_ certificate: Certificate) throws(ConnectCAError) -> String {
        HexText.colonSeparated(SHA256.hash(data: try CertificatePEM.der(certificate)))
    }

    /// A `CARoot` describing `certificate` (inactive; the caller decides which root signs).
    static func describe(_ certificate: Certificate, name: String, trustDomain: String) throws(ConnectCAError)
        -> Caravan_V1_CARoot
    {
        var root = Caravan_V1_CARoot()
        root.id = try fingerprint(certificate)
        root.name = name
        root.serialNumber = HexText.serial(certificate.serialNumber.bytes)
        root.signingKeyID = HexText.colonSeparated(CertificatePEM.subjectKeyIdentifier(of: certificate))
        root.rootCertPem = try CertificatePEM.pem(certificate)
        root.notBefore = Google_Protobuf_Timestamp(date: certificate.notValidBefore)
        root.notAfter = Google_Protobuf_Timestamp(date: certificate.notValidAfter)
        root.trustDomain = trustDomain
        return root
    }
}
