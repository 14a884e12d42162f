import Crypto
import Foundation
import SwiftASN1
import X509

/// Issues Caravan's agent CA and agent certificates (P-256, ECDSA-SHA256), as `ctl tls` does.
///
/// Agent certificates carry their role as the DNS SAN `<role>.<region>.caravan`, plus `localhost` and
/// `127.0.0.1` so a local `ctl` can reach a local daemon. Validity starts a minute in the past to tolerate
/// clock skew between machines.
public enum CertificateFactory {
    /// A PEM certificate and its PEM private key.
    public struct Issued: Sendable {
        public var certificatePEM: String
        public var privateKeyPEM: String
    }

    public static func createCA(
        commonName: String = "Caravan Agent CA",
        days: Int = 1825,
        now: Date = Date()
    ) throws -> Issued {
        let key = P256.Signing.PrivateKey()
        let privateKey = Certificate.PrivateKey(key)
        let name = try DistinguishedName {
            OrganizationName("Caravan")
            CommonName(commonName)
        }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
            Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
            SubjectKeyIdentifier(hash: privateKey.publicKey)
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: privateKey.publicKey,
            notValidBefore: now.addingTimeInterval(-60),
            notValidAfter: now.addingTimeInterval(TimeInterval(days) * 86_400),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: privateKey
        )
        return Issued(certificatePEM: try certificate.serializeAsPEM().pemString, privateKeyPEM: key.pemRepresentation)
    }

    public static func createAgentCertificate(
        role: AgentRole,
        region: String,
        caCertificatePEM: String,
        caPrivateKeyPEM: String,
        days: Int = 365,
        additionalDNSNames: [String] = [],
        additionalIPAddresses: [String] = [],
        now: Date = Date()
    ) throws -> Issued {
        guard RegionName.isValid(region) else {
            throw CaravanError.invalidArgument(
                "invalid region \"\(region)\": use lowercase letters, digits and dashes"
            )
        }
        let caCertificate = try Certificate(pemEncoded: caCertificatePEM)
        let caKey = try Certificate.PrivateKey(pemEncoded: caPrivateKeyPEM)
        guard caKey.publicKey == caCertificate.publicKey else {
            throw CaravanError.invalidArgument("the CA key does not match the CA certificate")
        }
        var names: [GeneralName] = [.dnsName(role.dnsName(region: region)), .dnsName("localhost")]
        names += additionalDNSNames.map { .dnsName($0) }
        var addresses = ["127.0.0.1"]
        for address in additionalIPAddresses where !addresses.contains(address) { addresses.append(address) }
        for address in addresses {
            guard let bytes = IPAddressBytes.parse(address) else {
                throw CaravanError.invalidArgument("invalid IP address \"\(address)\"")
            }
            names.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(bytes))))
        }

        let key = P256.Signing.PrivateKey()
        let privateKey = Certificate.PrivateKey(key)
        let subject = try DistinguishedName {
            OrganizationName("Caravan")
            CommonName(role.dnsName(region: region))
        }
        let caKeyIdentifier = try caCertificate.extensions.subjectKeyIdentifier?.keyIdentifier
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
            try ExtendedKeyUsage([.serverAuth, .clientAuth])
            SubjectKeyIdentifier(hash: privateKey.publicKey)
            AuthorityKeyIdentifier(keyIdentifier: caKeyIdentifier)
            SubjectAlternativeNames(names)
        }
        let notAfter = min(now.addingTimeInterval(TimeInterval(days) * 86_400), caCertificate.notValidAfter)
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: privateKey.publicKey,
            notValidBefore: now.addingTimeInterval(-60),
            notValidAfter: notAfter,
            issuer: caCertificate.subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: caKey
        )
        return Issued(certificatePEM: try certificate.serializeAsPEM().pemString, privateKeyPEM: key.pemRepresentation)
    }
}

/// Parses textual IPv4/IPv6 addresses into network-order bytes (IP SANs, `-bind`).
public enum IPAddressBytes {
    public static func parse(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}
