import Crypto
import SwiftASN1
import X509

/// A proxy's side of workload identity: make a P-256 key, ask for a certificate, and name keys by a stable ID.
///
/// The key never leaves the proxy; only the CSR does. The key ID (hex SHA-256 of the SubjectPublicKeyInfo DER)
/// is the same whether computed from the key, the CSR or the signed leaf, so meshd can tell which key a leaf
/// a proxy presents again after a reconnect belongs to.
public enum WorkloadKey {
    public static func makePrivateKey() -> P256.Signing.PrivateKey {
        P256.Signing.PrivateKey()
    }

    /// A PEM CSR for `service`. The server ignores its subject and sets the identity itself; the CN only helps
    /// a person reading the request.
    public static func csr(for service: String, key: P256.Signing.PrivateKey) throws(ConnectCAError) -> String {
        let request: CertificateSigningRequest
        do {
            request = try CertificateSigningRequest(
                version: .v1,
                subject: try DistinguishedName { CommonName(service) },
                privateKey: Certificate.PrivateKey(key),
                attributes: CertificateSigningRequest.Attributes(),
                signatureAlgorithm: .ecdsaWithSHA256
            )
        } catch {
            throw .certificateCreationFailed("\(error)")
        }
        return try CertificatePEM.pem(request)
    }

    public static func keyID(_ publicKey: P256.Signing.PublicKey) -> String {
        HexText.plain(SHA256.hash(data: publicKey.derRepresentation))
    }

    /// The key ID of the public key a PEM CSR carries.
    public static func keyID(csrPEM: String) throws(ConnectCAError) -> String {
        try keyID(CertificatePEM.signingRequest(csrPEM).publicKey)
    }

    /// The key ID of the first certificate in a PEM bundle (the leaf, when given a served chain).
    public static func keyID(certificatePEM: String) throws(ConnectCAError) -> String {
        let chain = try CertificatePEM.chain(certificatePEM, what: "the certificate")
        guard let leaf = chain.first else {
            throw .malformedPEM(what: "the certificate", reason: "no certificate found")
        }
        return try keyID(leaf.publicKey)
    }

    static func keyID(_ publicKey: Certificate.PublicKey) throws(ConnectCAError) -> String {
        do {
            var serializer = DER.Serializer()
            try serializer.serialize(publicKey)
            return HexText.plain(SHA256.hash(data: serializer.serializedBytes))
        } catch {
            throw .certificateCreationFailed("could not encode the public key: \(error)")
        }
    }
}
