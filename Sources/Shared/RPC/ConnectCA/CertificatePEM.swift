import Crypto
import SwiftASN1
import X509

/// PEM parsing and serialization for the Connect CA, turning X509's untyped errors into ``ConnectCAError``s
/// that name the input at fault.
enum CertificatePEM {
    static func certificate(_ pem: String, what: String) throws(ConnectCAError) -> Certificate {
        let chain = try chain(pem, what: what)
        guard chain.count == 1, let certificate = chain.first else {
            throw .malformedPEM(what: what, reason: "expected one certificate, found \(chain.count)")
        }
        return certificate
    }

    /// Every certificate in a PEM bundle, in order; at least one.
    static func chain(_ pem: String, what: String) throws(ConnectCAError) -> [Certificate] {
        let documents: [PEMDocument]
        do {
            documents = try PEMDocument.parseMultiple(pemString: pem)
        } catch {
            throw .malformedPEM(what: what, reason: "\(error)")
        }
        guard !documents.isEmpty else { throw .malformedPEM(what: what, reason: "no PEM block found") }
        var certificates: [Certificate] = []
        for (index, document) in documents.enumerated() {
            guard document.discriminator == Certificate.defaultPEMDiscriminator else {
                throw .malformedPEM(
                    what: what, reason: "block \(index + 1) is \"\(document.discriminator)\", not a CERTIFICATE")
            }
            do {
                certificates.append(try Certificate(pemDocument: document))
            } catch {
                throw .malformedPEM(what: what, reason: "block \(index + 1): \(error)")
            }
        }
        return certificates
    }

    static func signingRequest(_ pem: String) throws(ConnectCAError) -> CertificateSigningRequest {
        do {
            return try CertificateSigningRequest(pemEncoded: pem)
        } catch {
            throw .malformedPEM(what: "the CSR", reason: "\(error)")
        }
    }

    /// A CA private key; Caravan's CA keys are P-256 only, so every certificate it signs is ECDSA-SHA256.
    static func caPrivateKey(_ pem: String, what: String) throws(ConnectCAError) -> Certificate.PrivateKey {
        let key: Certificate.PrivateKey
        do {
            key = try Certificate.PrivateKey(pemEncoded: pem)
        } catch {
            throw .malformedPEM(what: what, reason: "\(error)")
        }
        guard P256.Signing.PublicKey(key.publicKey) != nil else {
            throw .unsupportedKey(what: what, found: "\(key.publicKey)")
        }
        return key
    }

    static func pem(_ certificate: Certificate) throws(ConnectCAError) -> String {
        do {
            return try certificate.serializeAsPEM().pemString
        } catch {
            throw .certificateCreationFailed("\(error)")
        }
    }

    static func pem(_ request: CertificateSigningRequest) throws(ConnectCAError) -> String {
        do {
            return try request.serializeAsPEM().pemString
        } catch {
            throw .certificateCreationFailed("\(error)")
        }
    }

    /// The DER encoding, for fingerprints.
    static func der(_ certificate: Certificate) throws(ConnectCAError) -> [UInt8] {
        do {
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            return serializer.serializedBytes
        } catch {
            throw .certificateCreationFailed("\(error)")
        }
    }

    /// The URI SANs a certificate carries, in order.
    static func uris(in certificate: Certificate) -> [String] {
        guard let names = try? certificate.extensions.subjectAlternativeNames else { return [] }
        return names.compactMap { name in
            if case .uniformResourceIdentifier(let uri) = name { return uri }
            return nil
        }
    }

    /// The key identifier a certificate asserts for itself, or the RFC 5280 SHA-1 one computed from its key.
    static func subjectKeyIdentifier(of certificate: Certificate) -> ArraySlice<UInt8> {
        if let extensionValue = try? certificate.extensions.subjectKeyIdentifier {
            return extensionValue.keyIdentifier
        }
        return SubjectKeyIdentifier(hash: certificate.publicKey).keyIdentifier
    }
}
