import Crypto
import Foundation
import GRPCNIOTransportHTTP2
import X509

/// Loaded and checked mTLS material: the CA that every peer must chain to, this agent's certificate and key.
///
/// Loading checks everything a person could get wrong before a socket opens, so a daemon refuses to start with
/// a one-line error naming the file instead of failing every handshake later: missing or unreadable files,
/// files that are not PEM certificates or keys, a key that does not match its certificate, a certificate that is
/// expired or not yet valid, one that was not signed by the CA, or one without the role the daemon needs.
public struct TLSMaterial: Sendable {
    public let files: TLSFiles
    public let caCertificate: Certificate
    public let certificate: Certificate
    /// The identities (role, region) the certificate grants.
    public let identities: [AgentIdentity]
    let caPEM: String
    let certPEM: String
    let keyPEM: String

    /// Loads and checks the files. `now` is injectable for tests of validity windows.
    public init(files: TLSFiles, now: Date = Date()) throws(CaravanError) {
        self.files = files
        caPEM = try Self.read(files.caFile, what: "CA certificate")
        certPEM = try Self.read(files.certFile, what: "certificate")
        keyPEM = try Self.read(files.keyFile, what: "private key")

        caCertificate = try Self.parseCertificate(caPEM, file: files.caFile)
        certificate = try Self.parseCertificate(certPEM, file: files.certFile)
        let key: Certificate.PrivateKey
        do {
            key = try Certificate.PrivateKey(pemEncoded: keyPEM)
        } catch {
            throw .invalidArgument("\(files.keyFile): not a PEM private key (\(error))")
        }
        guard key.publicKey == certificate.publicKey else {
            throw .invalidArgument("\(files.keyFile): private key does not match the certificate in \(files.certFile)")
        }
        try Self.checkValidity(caCertificate, file: files.caFile, now: now)
        try Self.checkValidity(certificate, file: files.certFile, now: now)
        guard caCertificate.publicKey.isValidSignature(certificate.signature, for: certificate),
            certificate.issuer == caCertificate.subject
        else {
            throw .invalidArgument(
                "\(files.certFile): certificate was not issued by the CA in \(files.caFile) (issuer \(certificate.issuer))"
            )
        }
        identities = AgentIdentity.all(in: certificate)
    }

    /// Fails unless the certificate carries `role` (in `region`, when given).
    public func require(role: AgentRole, region: String? = nil) throws(CaravanError) {
        let matches = identities.contains { $0.role == role && (region == nil || $0.region == region) }
        guard matches else {
            let wanted = region.map { role.dnsName(region: $0) } ?? "\(role.rawValue).<region>.caravan"
            let found = identities.isEmpty ? "none" : identities.map(\.description).joined(separator: ", ")
            throw .invalidArgument(
                "\(files.certFile): certificate lacks the DNS SAN \(wanted) needed for this role (has: \(found))"
            )
        }
    }

    var certificateSources: [TLSConfig.CertificateSource] {
        [.bytes(Array(certPEM.utf8), format: .pem)]
    }
    var privateKeySource: TLSConfig.PrivateKeySource {
        .bytes(Array(keyPEM.utf8), format: .pem)
    }
    var trustRoots: TLSConfig.TrustRootsSource {
        .certificates([.bytes(Array(caPEM.utf8), format: .pem)])
    }

    private static func read(_ path: String, what: String) throws(CaravanError) -> String {
        guard !path.isEmpty else { throw .invalidArgument("no \(what) file given") }
        guard FileManager.default.fileExists(atPath: path) else {
            throw .invalidArgument("\(path): \(what) file does not exist")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            throw .invalidArgument("\(path): cannot read \(what) file")
        }
        return text
    }

    private static func parseCertificate(_ pem: String, file: String) throws(CaravanError) -> Certificate {
        do {
            return try Certificate(pemEncoded: pem)
        } catch {
            throw .invalidArgument("\(file): not a PEM certificate (\(error))")
        }
    }

    private static func checkValidity(_ certificate: Certificate, file: String, now: Date) throws(CaravanError) {
        if now < certificate.notValidBefore {
            throw .invalidArgument("\(file): certificate is not valid before \(certificate.notValidBefore)")
        }
        if now > certificate.notValidAfter {
            throw .invalidArgument("\(file): certificate expired at \(certificate.notValidAfter)")
        }
    }
}
