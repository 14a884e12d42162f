import CaravanRPC
import Foundation
import TestSupport
import Testing
import X509

/// `ctl tls` as a user runs it: in a directory, writing files with Nomad's naming.
@Suite("ctl tls", .serialized, .timeLimit(.minutes(2)))
struct TLSCommandTests {
    let ctl = BuiltProducts.path("ctl")

    @Test("ca create and cert create write verifiable files, keys 0600, and never overwrite")
    func createsFiles() async throws {
        let dir = try TemporaryDirectory.make(prefix: "ctl-tls")
        defer { try? FileManager.default.removeItem(atPath: dir) }

        let ca = try await runCommand(ctl, ["tls", "ca", "create"], directory: dir)
        #expect(ca.status == 0, "\(ca.stderr)")
        #expect(ca.stdout.contains("caravan-agent-ca.pem"))

        for (flag, role) in [("-server", "server"), ("-client", "client"), ("--mesh", "mesh"), ("-cli", "cli")] {
            let cert = try await runCommand(ctl, ["tls", "cert", "create", flag, "-region", "west"], directory: dir)
            #expect(cert.status == 0, "\(cert.stderr)")
            let certificate = try Certificate(
                pemEncoded: try String(contentsOfFile: "\(dir)/west-\(role)-caravan.pem", encoding: .utf8))
            let authority = try Certificate(
                pemEncoded: try String(contentsOfFile: "\(dir)/caravan-agent-ca.pem", encoding: .utf8))
            #expect(authority.publicKey.isValidSignature(certificate.signature, for: certificate))
            #expect(
                AgentIdentity.all(in: certificate) == [AgentIdentity(role: AgentRole(rawValue: role)!, region: "west")])
            #expect(try permissions("\(dir)/west-\(role)-caravan-key.pem") == 0o600)
        }
        #expect(try permissions("\(dir)/caravan-agent-ca-key.pem") == 0o600)

        let again = try await runCommand(ctl, ["tls", "cert", "create", "-server", "-region", "west"], directory: dir)
        #expect(again.status == 1)
        #expect(again.stderr.contains("west-server-caravan.pem already exists; refusing to overwrite it"))
        let caAgain = try await runCommand(ctl, ["tls", "ca", "create"], directory: dir)
        #expect(caAgain.status == 1)
        #expect(caAgain.stderr.contains("caravan-agent-ca.pem already exists"))
    }

    @Test("bad arguments get one precise error and a non-zero exit")
    func badArguments() async throws {
        let dir = try TemporaryDirectory.make(prefix: "ctl-tls-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }

        let two = try await runCommand(ctl, ["tls", "cert", "create", "-server", "-client"], directory: dir)
        #expect(two.status == 64)
        #expect(two.stderr.contains("give exactly one of -server, -client, -mesh, -cli"))

        let noCA = try await runCommand(ctl, ["tls", "cert", "create", "-server"], directory: dir)
        #expect(noCA.status == 1)
        #expect(noCA.stderr.contains("caravan-agent-ca.pem: cannot read the CA certificate"))

        let unknown = try await runCommand(ctl, ["tls", "ca", "create", "-bogus"], directory: dir)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("-bogus"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    func permissions(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? Int ?? 0) & 0o777
    }
}
