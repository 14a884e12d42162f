import CaravanRPC
import Foundation
import SwiftASN1
import TestSupport
import Testing
import X509

@Suite("Agent CA and certificates")
struct CertificateFactoryTests {
    @Test("the CA is a CA that may only sign certificates")
    func caExtensions() throws {
        let ca = try Certificate(pemEncoded: try CertificateFactory.createCA().certificatePEM)
        let constraints = try #require(try ca.extensions.basicConstraints)
        #expect(constraints == .isCertificateAuthority(maxPathLength: 0))
        let usage = try #require(try ca.extensions.keyUsage)
        #expect(usage.keyCertSign && usage.cRLSign)
        #expect(ca.issuer == ca.subject)
        #expect(ca.publicKey.isValidSignature(ca.signature, for: ca))
        let days = ca.notValidAfter.timeIntervalSince(ca.notValidBefore) / 86_400
        #expect(days > 1824 && days < 1826)
    }

    @Test(
        "agent certificates verify with the CA and carry role SANs, key usages and validity",
        arguments: AgentRole.allCases)
    func agentCertificate(role: AgentRole) throws {
        let caIssued = try CertificateFactory.createCA()
        let ca = try Certificate(pemEncoded: caIssued.certificatePEM)
        let issued = try CertificateFactory.createAgentCertificate(
            role: role,
            region: "eu-west",
            caCertificatePEM: caIssued.certificatePEM,
            caPrivateKeyPEM: caIssued.privateKeyPEM,
            additionalDNSNames: ["node1.example.com"],
            additionalIPAddresses: ["10.1.2.3", "::1"]
        )
        let cert = try Certificate(pemEncoded: issued.certificatePEM)
        #expect(ca.publicKey.isValidSignature(cert.signature, for: cert))
        #expect(cert.issuer == ca.subject)

        let names = try #require(try cert.extensions.subjectAlternativeNames)
        let dns = names.compactMap { name -> String? in
            if case .dnsName(let value) = name { return value }
            return nil
        }
        let ips = names.compactMap { name -> [UInt8]? in
            if case .ipAddress(let value) = name { return Array(value.bytes) }
            return nil
        }
        #expect(dns == ["\(role.rawValue).eu-west.caravan", "localhost", "node1.example.com"])
        #expect(ips == [[127, 0, 0, 1], [10, 1, 2, 3], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]])
        #expect(AgentIdentity.all(in: cert) == [AgentIdentity(role: role, region: "eu-west")])

        let usage = try #require(try cert.extensions.keyUsage)
        #expect(usage.digitalSignature && !usage.keyCertSign)
        let extended = try #require(try cert.extensions.extendedKeyUsage)
        #expect(extended.contains(.serverAuth) && extended.contains(.clientAuth))
        #expect(try cert.extensions.basicConstraints == .notCertificateAuthority)
        let days = cert.notValidAfter.timeIntervalSince(cert.notValidBefore) / 86_400
        #expect(days > 364 && days < 366)
        #expect(cert.notValidBefore < Date())

        let key = try Certificate.PrivateKey(pemEncoded: issued.privateKeyPEM)
        #expect(key.publicKey == cert.publicKey)
    }

    @Test("bad regions and IP addresses are rejected with the value named")
    func badInput() throws {
        let ca = try CertificateFactory.createCA()
        #expect(
            throws: CaravanError.invalidArgument("invalid region \"EU West\": use lowercase letters, digits and dashes")
        ) {
            try CertificateFactory.createAgentCertificate(
                role: .server, region: "EU West", caCertificatePEM: ca.certificatePEM, caPrivateKeyPEM: ca.privateKeyPEM
            )
        }
        #expect(throws: CaravanError.invalidArgument("invalid IP address \"300.1.1.1\"")) {
            try CertificateFactory.createAgentCertificate(
                role: .server, region: "global", caCertificatePEM: ca.certificatePEM, caPrivateKeyPEM: ca.privateKeyPEM,
                additionalIPAddresses: ["300.1.1.1"])
        }
    }
}

@Suite("Loading TLS material")
struct TLSMaterialTests {
    let fixture: CertificateFixture

    init() throws {
        fixture = try CertificateFixture()
    }

    @Test("a good set loads and knows its role")
    func loads() throws {
        let material = try fixture.material("server")
        #expect(material.identities == [AgentIdentity(role: .server, region: "global")])
        try material.require(role: .server, region: "global")
    }

    @Test("a certificate without the daemon's role is refused, naming the SAN it lacks")
    func wrongRole() throws {
        let material = try fixture.material("client")
        #expect(
            throws: CaravanError.invalidArgument(
                "\(fixture.path("client.pem")): certificate lacks the DNS SAN server.global.caravan needed for this role (has: client.global.caravan)"
            )
        ) {
            try material.require(role: .server, region: "global")
        }
    }

    @Test("a missing file is named")
    func missingFile() {
        var files = fixture.files("server")
        files.certFile = fixture.path("nope.pem")
        #expect(throws: CaravanError.invalidArgument("\(fixture.path("nope.pem")): certificate file does not exist")) {
            try TLSMaterial(files: files)
        }
    }

    @Test("a key that does not match its certificate is refused")
    func mismatchedKey() {
        var files = fixture.files("server")
        files.keyFile = fixture.path("client-key.pem")
        #expect(
            throws: CaravanError.invalidArgument(
                "\(fixture.path("client-key.pem")): private key does not match the certificate in \(fixture.path("server.pem"))"
            )
        ) {
            try TLSMaterial(files: files)
        }
    }

    @Test("expired and not-yet-valid certificates are refused")
    func validityWindow() {
        #expect {
            try fixture.material("expired-cli")
        } throws: { error in
            (error as? CaravanError)?.message.contains("certificate expired at") == true
        }
        #expect {
            try fixture.material("future-cli")
        } throws: { error in
            (error as? CaravanError)?.message.contains("certificate is not valid before") == true
        }
    }

    @Test("a certificate from another CA is refused")
    func foreignCA() {
        #expect {
            try fixture.material("foreign-cli")
        } throws: { error in
            (error as? CaravanError)?.message.contains("was not issued by the CA in") == true
        }
    }

    @Test("a file that is not PEM is named")
    func notPEM() throws {
        try "hello".write(toFile: fixture.path("junk.pem"), atomically: true, encoding: .utf8)
        var files = fixture.files("server")
        files.caFile = fixture.path("junk.pem")
        #expect {
            try TLSMaterial(files: files)
        } throws: { error in
            (error as? CaravanError)?.message.hasPrefix("\(fixture.path("junk.pem")): not a PEM certificate") == true
        }
    }
}
