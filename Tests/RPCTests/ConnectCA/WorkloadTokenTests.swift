import CaravanRPC
import Crypto
import Foundation
import Testing

@Suite("Workload tokens")
struct WorkloadTokenTests {
    let key = SymmetricKey(size: .bits256)
    let now = Date(timeIntervalSince1970: 1_750_000_000)
    var claims: WorkloadToken.Claims {
        WorkloadToken.Claims(
            allocID: "8f3c2a1e-0000-4000-8000-000000000001", service: "web", nodeID: "node-1",
            expiresAt: now.addingTimeInterval(3600))
    }

    @Test("a token issued with a key verifies with it and returns the claims")
    func roundTrip() throws {
        let token = WorkloadToken.issue(claims: claims, key: key)
        #expect(token.hasPrefix("v1."))
        #expect(token.split(separator: ".").count == 3)
        #expect(!token.contains("=") && !token.contains("+") && !token.contains("/"))
        #expect(try WorkloadToken.verify(token, key: key, now: now) == claims)
    }

    @Test("a token is rejected once expired")
    func expired() {
        let token = WorkloadToken.issue(claims: claims, key: key)
        #expect(throws: WorkloadTokenError.expired(at: claims.expiresAt)) {
            try WorkloadToken.verify(token, key: key, now: claims.expiresAt)
        }
    }

    @Test("a token from another key is rejected as a bad signature")
    func otherKey() {
        let token = WorkloadToken.issue(claims: claims, key: SymmetricKey(size: .bits256))
        #expect(throws: WorkloadTokenError.badSignature) { try WorkloadToken.verify(token, key: key, now: now) }
    }

    @Test("a token whose payload was swapped is rejected as a bad signature")
    func alteredPayload() throws {
        let token = WorkloadToken.issue(claims: claims, key: key)
        var other = claims
        other.service = "db"
        let forged = WorkloadToken.issue(claims: other, key: SymmetricKey(size: .bits256))
        let parts = token.split(separator: ".")
        let forgedParts = forged.split(separator: ".")
        let spliced = "\(parts[0]).\(forgedParts[1]).\(parts[2])"
        #expect(throws: WorkloadTokenError.badSignature) { try WorkloadToken.verify(spliced, key: key, now: now) }
    }

    @Test("a token with another version prefix is rejected as unknown version")
    func unknownVersion() {
        let token = WorkloadToken.issue(claims: claims, key: key)
        let v2 = "v2" + token.dropFirst(2)
        #expect(throws: WorkloadTokenError.unknownVersion("v2")) { try WorkloadToken.verify(v2, key: key, now: now) }
    }

    @Test(
        "malformed tokens are rejected as malformed",
        arguments: ["", "v1", "v1.abc", "v1.a.b.c", "v1.!!!.abc", "v1.abc.***", "v1..abc"])
    func malformed(token: String) {
        let error = #expect(throws: WorkloadTokenError.self) { try WorkloadToken.verify(token, key: key, now: now) }
        guard case .malformed? = error else {
            Issue.record("expected malformed, got \(String(describing: error))")
            return
        }
    }

    @Test("a genuine MAC over a payload that is not the claims JSON is rejected as malformed")
    func signedGarbage() {
        let payload = Data("not json".utf8).base64EncodedString()
            .replacingOccurrences(of: "=", with: "")
        let signed = "v1.\(payload)"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(signed.utf8), using: key)
        let macText = Data(mac).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        let token = "\(signed).\(macText)"
        #expect(throws: WorkloadTokenError.malformed("the payload is not the expected JSON claims")) {
            try WorkloadToken.verify(token, key: key, now: now)
        }
    }

    @Test("each rejection has its own message")
    func messages() {
        let messages = [
            WorkloadTokenError.malformed("x"), .unknownVersion("v9"), .badSignature, .expired(at: now),
        ].map(\.description)
        #expect(Set(messages).count == 4)
        #expect(WorkloadTokenError.badSignature.caravanError.code == .unauthenticated)
    }
}
