import Crypto
import Foundation

/// A bearer token binding an allocation's proxy to one service, so meshd and serverd sign leaves only for the
/// service the scheduler placed there.
///
/// serverd issues it, clientd hands it to proxyd, proxyd presents it to meshd, and meshd passes it back to
/// serverd, which alone holds the HMAC key — so only serverd verifies it. The form is
/// `v1.<base64url(JSON claims)>.<base64url(HMAC-SHA256 over "v1.<payload>")>`.
public enum WorkloadToken {
    public static let version = "v1"

    /// Longer input is refused before any decoding; real tokens are a few hundred bytes.
    static let maximumLength = 4096

    /// What a token asserts. `expiresAt` is kept to whole seconds.
    public struct Claims: Sendable, Equatable {
        public var allocID: String
        public var service: String
        public var nodeID: String
        public var expiresAt: Date

        public init(allocID: String, service: String, nodeID: String, expiresAt: Date) {
            self.allocID = allocID
            self.service = service
            self.nodeID = nodeID
            self.expiresAt = expiresAt
        }
    }

    /// The JSON payload; short keys keep tokens small.
    private struct Payload: Codable {
        var alloc: String
        var svc: String
        var node: String
        var exp: Int64
    }

    public static func issue(claims: Claims, key: SymmetricKey) -> String {
        let payload = Payload(
            alloc: claims.allocID, svc: claims.service, node: claims.nodeID,
            exp: Int64(claims.expiresAt.timeIntervalSince1970.rounded(.down)))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // Strings and an integer always encode; were it ever to fail, the empty payload would be refused as
        // malformed by `verify` rather than accepted.
        let json = (try? encoder.encode(payload)) ?? Data()
        let signedPart = "\(version).\(Base64URL.encode(json))"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(signedPart.utf8), using: key)
        return "\(signedPart).\(Base64URL.encode(Data(mac)))"
    }

    /// The claims of a genuine, unexpired token.
    public static func verify(_ token: String, key: SymmetricKey, now: Date) throws(WorkloadTokenError) -> Claims {
        guard token.utf8.count <= maximumLength else {
            throw .malformed("longer than \(maximumLength) bytes")
        }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw .malformed("expected 3 dot-separated parts, found \(parts.count)")
        }
        guard parts[0] == version else { throw .unknownVersion(String(parts[0])) }
        guard let json = Base64URL.decode(parts[1]), !json.isEmpty else {
            throw .malformed("the payload is not base64url")
        }
        guard let mac = Base64URL.decode(parts[2]), !mac.isEmpty else {
            throw .malformed("the signature is not base64url")
        }
        let signedPart = Data("\(parts[0]).\(parts[1])".utf8)
        // Constant-time comparison inside swift-crypto.
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: signedPart, using: key) else {
            throw .badSignature
        }
        let payload: Payload
        do {
            payload = try JSONDecoder().decode(Payload.self, from: json)
        } catch {
            throw .malformed("the payload is not the expected JSON claims")
        }
        let claims = Claims(
            allocID: payload.alloc, service: payload.svc, nodeID: payload.node,
            expiresAt: Date(timeIntervalSince1970: TimeInterval(payload.exp)))
        guard now < claims.expiresAt else { throw .expired(at: claims.expiresAt) }
        return claims
    }
}
