import Foundation

/// Why a workload token was refused. Each case has its own message so a proxy's operator can tell a stale
/// token from a forged one.
public enum WorkloadTokenError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not `v1.<payload>.<mac>` with base64url parts and a readable payload.
    case malformed(String)
    /// The version prefix is not one this server issues.
    case unknownVersion(String)
    /// The MAC does not match: the token was altered or issued with another key.
    case badSignature
    /// The token was genuine but its lifetime has passed.
    case expired(at: Date)

    public var description: String {
        switch self {
        case .malformed(let reason):
            return "malformed workload token: \(reason)"
        case .unknownVersion(let version):
            return "unknown workload token version \"\(version)\" (this server issues v1)"
        case .badSignature:
            return "workload token signature does not match (altered, or issued by another cluster)"
        case .expired(let date):
            return "workload token expired at \(date.formatted(.iso8601)); ask the client agent for a new one"
        }
    }

    /// Every refusal is UNAUTHENTICATED: the caller did not prove who it is.
    public var caravanError: CaravanError { CaravanError(.unauthenticated, description) }
}
