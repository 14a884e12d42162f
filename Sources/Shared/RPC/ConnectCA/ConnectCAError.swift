import Foundation

/// Why a Connect CA operation (root generation, cross-signing, leaf signing, key IDs) refused its input.
///
/// Each case names the offending input so serverd can return it to the proxy or operator unchanged.
public enum ConnectCAError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A PEM input (`what`: "the CSR", "the root certificate", …) could not be decoded.
    case malformedPEM(what: String, reason: String)
    /// The CSR's signature does not verify with the public key it carries: it was altered after signing.
    case csrSignatureInvalid
    /// A key is not the P-256 key Caravan's Connect CA requires.
    case unsupportedKey(what: String, found: String)
    /// A private key does not belong to the certificate it was handed with.
    case keyDoesNotMatchCertificate(what: String)
    /// A plain argument (service name, TTL, serial, trust domain, …) is out of range.
    case invalidArgument(String)
    /// The root (or the issuing certificate) has expired, so nothing it signs can be valid.
    case issuerExpired(what: String, notAfter: Date)
    /// X509 refused to build or serialize a certificate; not expected for inputs that passed validation.
    case certificateCreationFailed(String)

    public var description: String {
        switch self {
        case .malformedPEM(let what, let reason):
            return "\(what) is not valid PEM: \(reason)"
        case .csrSignatureInvalid:
            return "the CSR's signature does not verify with its own public key (the request was altered)"
        case .unsupportedKey(let what, let found):
            return "\(what) must be an ECDSA P-256 key, found \(found)"
        case .keyDoesNotMatchCertificate(let what):
            return "the private key does not match \(what)"
        case .invalidArgument(let message):
            return message
        case .issuerExpired(let what, let notAfter):
            return "\(what) expired at \(notAfter.formatted(.iso8601)); it can no longer sign certificates"
        case .certificateCreationFailed(let reason):
            return "could not create the certificate: \(reason)"
        }
    }

    /// The error the RPC edge returns: bad caller input is INVALID_ARGUMENT, an expired CA is FAILED_PRECONDITION.
    public var caravanError: CaravanError {
        switch self {
        case .issuerExpired: return .failedPrecondition(description)
        case .certificateCreationFailed: return CaravanError(.internalError, description)
        default: return .invalidArgument(description)
        }
    }
}
