import Foundation
import X509

/// Checks the certificate a dialed peer presents: issued by our CA, inside its validity window, and — when the
/// caller expects a role — carrying `<role>.<region>.caravan`.
///
/// NIOSSL's hostname check cannot do the role part: it also accepts a certificate whose IP SAN matches the
/// socket address, and every agent certificate carries 127.0.0.1, so a mesh agent would pass for a server.
public struct PeerVerifier: Sendable {
    public let authority: Certificate
    public let expected: AgentIdentity?

    public init(authority: Certificate, expected: AgentIdentity?) {
        self.authority = authority
        self.expected = expected
    }

    /// nil when the chain is acceptable, else the reason it is not. `chain` is leaf first.
    public func problem(with chain: [Certificate], now: Date = Date()) -> String? {
        guard let leaf = chain.first else { return "the peer presented no certificate" }
        guard leaf.issuer == authority.subject, authority.publicKey.isValidSignature(leaf.signature, for: leaf) else {
            return "the peer's certificate was not issued by our CA (issuer \(leaf.issuer))"
        }
        if now < leaf.notValidBefore { return "the peer's certificate is not valid before \(leaf.notValidBefore)" }
        if now > leaf.notValidAfter { return "the peer's certificate expired at \(leaf.notValidAfter)" }
        guard let expected else { return nil }
        let identities = AgentIdentity.all(in: leaf)
        guard identities.contains(expected) else {
            let found = identities.isEmpty ? "no Caravan role" : identities.map(\.description).joined(separator: ", ")
            return "the peer is not \(expected) (its certificate carries \(found))"
        }
        return nil
    }
}
