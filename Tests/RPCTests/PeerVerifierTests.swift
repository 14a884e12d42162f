import CaravanRPC
import Foundation
import TestSupport
import Testing
import X509

@Suite("Verifying a dialed peer")
struct PeerVerifierTests {
    let fixture: CertificateFixture
    let authority: Certificate

    init() throws {
        fixture = try CertificateFixture()
        authority = try Certificate(pemEncoded: try String(contentsOfFile: fixture.path("ca.pem"), encoding: .utf8))
    }

    func certificate(_ name: String) throws -> Certificate {
        try Certificate(pemEncoded: try String(contentsOfFile: fixture.path("\(name).pem"), encoding: .utf8))
    }

    @Test("a peer with the expected role passes; any CA-issued peer passes when no role is expected")
    func accepts() throws {
        let server = PeerVerifier(authority: authority, expected: AgentIdentity(role: .server, region: "global"))
        #expect(server.problem(with: [try certificate("server")]) == nil)
        #expect(PeerVerifier(authority: authority, expected: nil).problem(with: [try certificate("mesh")]) == nil)
    }

    @Test("a peer with another role is refused, naming what it is")
    func wrongRole() throws {
        let server = PeerVerifier(authority: authority, expected: AgentIdentity(role: .server, region: "global"))
        #expect(
            server.problem(with: [try certificate("mesh")])
                == "the peer is not server.global.caravan (its certificate carries mesh.global.caravan)"
        )
    }

    @Test("foreign, expired and empty chains are refused")
    func refuses() throws {
        let any = PeerVerifier(authority: authority, expected: nil)
        #expect(any.problem(with: [try certificate("foreign-cli")])?.contains("not issued by our CA") == true)
        #expect(any.problem(with: [try certificate("expired-cli")])?.contains("expired at") == true)
        #expect(any.problem(with: [try certificate("future-cli")])?.contains("not valid before") == true)
        #expect(any.problem(with: []) == "the peer presented no certificate")
    }
}
