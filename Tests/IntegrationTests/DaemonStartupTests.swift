import Foundation
import TestSupport
import Testing

/// The real daemons, started as a user starts them, answering `ctl status` over mutual TLS.
@Suite("Daemons over mutual TLS", .serialized, .timeLimit(.minutes(3)))
struct DaemonStartupTests {
    let certs: CertificateFixture
    let ctl = BuiltProducts.path("ctl")

    init() throws {
        certs = try CertificateFixture()
    }

    func tlsFlags(_ name: String) -> [String] {
        [
            "-ca-file", certs.path("ca.pem"), "-cert-file", certs.path("\(name).pem"), "-key-file",
            certs.path("\(name)-key.pem"),
        ]
    }

    var cliEnvironment: [String: String] {
        [
            "CARAVAN_CACERT": certs.path("ca.pem"),
            "CARAVAN_CLIENT_CERT": certs.path("cli.pem"),
            "CARAVAN_CLIENT_KEY": certs.path("cli-key.pem"),
        ]
    }

    @Test(
        "each daemon starts, answers ctl status with its role, and stops cleanly on SIGTERM",
        arguments: [
            ("serverd", "server", ["-rpc-port", "0", "-raft-port", "0", "-http-port", "0"], "server"),
            ("clientd", "client", ["--port=0", "-servers", "127.0.0.1:4647"], "client"),
            ("meshd", "mesh", ["-port", "0"], "mesh"),
            ("proxyd", "client", ["-port", "0"], "proxy"),
        ]
    )
    func startsAndAnswers(daemon: String, certificate: String, portFlags: [String], role: String) async throws {
        let dataDir = try TemporaryDirectory.make(prefix: "caravan-\(daemon)")
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let process = try DaemonProcess(
            daemon,
            ["-bind", "127.0.0.1", "-node", "test-\(daemon)", "-data-dir", "\(dataDir)/data"] + portFlags
                + tlsFlags(certificate)
        )
        let port = try await process.listeningPort()

        let text = try await runCommand(ctl, ["status", "-address", "127.0.0.1:\(port)"], environment: cliEnvironment)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(recordField("Role", in: text.stdout) == role)
        #expect(recordField("Name", in: text.stdout) == "test-\(daemon)")
        #expect(recordField("Address", in: text.stdout) == "127.0.0.1:\(port)")
        #expect(recordField("Version", in: text.stdout) == "0.1.0")

        let json = try await runCommand(
            ctl, ["status", "-json"], environment: cliEnvironment.merging(["CARAVAN_ADDR": "127.0.0.1:\(port)"]) { $1 })
        #expect(json.status == 0, "\(json.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["role"] as? String == "ROLE_\(role.uppercased())")
        #expect(object?["region"] as? String == "global")

        if daemon == "meshd" {
            let viaMeshAddress = try await runCommand(
                ctl,
                ["status", "-mesh"],
                environment: cliEnvironment.merging(["CARAVAN_MESH_ADDR": "127.0.0.1:\(port)"]) { $1 }
            )
            #expect(recordField("Role", in: viaMeshAddress.stdout) == "mesh", "\(viaMeshAddress.stderr)")
        }

        #expect(await process.stop(signal: SIGTERM) == 0)
        #expect(process.log.contains("stopped"))
        #expect(FileManager.default.fileExists(atPath: "\(dataDir)/data"))
    }

    @Test("-log-json logs one JSON object per line")
    func jsonLogs() async throws {
        let process = try DaemonProcess("meshd", ["-bind", "127.0.0.1", "-port", "0", "-log-json"] + tlsFlags("mesh"))
        _ = try await process.listeningPort()
        #expect(await process.stop(signal: SIGINT) == 0)
        let lines = process.log.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["@module"] as? String == "meshd")
            #expect(object?["@message"] != nil)
        }
    }

    @Test("a daemon refuses to start with a certificate for another role, naming the SAN it needs")
    func wrongRoleCertificate() async throws {
        let result = try await runCommand(
            BuiltProducts.path("serverd"),
            ["-rpc-port", "0", "-raft-port", "0", "-data-dir", certs.path("wrong-role-data")] + tlsFlags("client"))
        #expect(result.status == 1)
        #expect(result.stderr.contains("certificate lacks the DNS SAN server.global.caravan"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test("a daemon refuses a key that does not match its certificate, and a missing file, naming the file")
    func badFiles() async throws {
        let mismatched = try await runCommand(
            BuiltProducts.path("meshd"),
            [
                "-port", "0", "-ca-file", certs.path("ca.pem"), "-cert-file", certs.path("mesh.pem"), "-key-file",
                certs.path("cli-key.pem"),
            ]
        )
        #expect(mismatched.status == 1)
        #expect(mismatched.stderr.contains("\(certs.path("cli-key.pem")): private key does not match the certificate"))

        let missing = try await runCommand(
            BuiltProducts.path("clientd"),
            [
                "-port", "0", "-data-dir", certs.path("client-data"), "-ca-file", certs.path("nope.pem"), "-cert-file",
                certs.path("client.pem"), "-key-file",
                certs.path("client-key.pem"),
            ]
        )
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("\(certs.path("nope.pem")): CA certificate file does not exist"))
    }

    @Test("unknown flags and bad values exit 64 with the flag named")
    func badFlags() async throws {
        // "-no-such-flag" contains an "h": it must not be read as a bundle of short flags that asks for help.
        for daemon in ["serverd", "clientd", "meshd", "proxyd", "ctl"] {
            let dataDir = daemon == "serverd" || daemon == "clientd" ? ["-data-dir", certs.path("unused-data")] : []
            let unknown = try await runCommand(
                BuiltProducts.path(daemon), ["-no-such-flag"] + dataDir + tlsFlags("server"))
            #expect(unknown.status == 64, "\(daemon)")
            #expect(unknown.stderr.contains("-no-such-flag"), "\(daemon)")
        }
        let help = try await runCommand(BuiltProducts.path("meshd"), ["-h"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("USAGE: meshd"))

        let port = try await runCommand(
            BuiltProducts.path("serverd"),
            ["-rpc-port", "70000", "-data-dir", certs.path("port-data")] + tlsFlags("server"))
        #expect(port.status == 64)
        #expect(port.stderr.contains("-rpc-port 70000: must be from 0 to 65535"))

        let region = try await runCommand(
            BuiltProducts.path("clientd"),
            ["-region", "Not A Region", "-data-dir", certs.path("unused-data")] + tlsFlags("client"))
        #expect(region.status == 64)
        #expect(region.stderr.contains("-region \"Not A Region\""))
    }

    @Test("a port already in use is reported, not retried silently")
    func portInUse() async throws {
        let first = try DaemonProcess("meshd", ["-bind", "127.0.0.1", "-port", "0"] + tlsFlags("mesh"))
        let port = try await first.listeningPort()
        let second = try await runCommand(
            BuiltProducts.path("meshd"), ["-bind", "127.0.0.1", "-port", "\(port)"] + tlsFlags("mesh"))
        #expect(second.status == 1)
        #expect(second.stderr.contains("127.0.0.1:\(port)"))
        #expect(await first.stop() == 0)
    }

    @Test("ctl with a certificate from another CA gets one line naming TLS, and the daemon keeps serving")
    func foreignCtl() async throws {
        let process = try DaemonProcess(
            "serverd",
            ["-bind", "127.0.0.1", "-rpc-port", "0", "-raft-port", "0", "-data-dir", certs.path("foreign-data")]
                + tlsFlags("server"))
        let port = try await process.listeningPort()
        let foreign = try await runCommand(
            ctl,
            [
                "status", "-address", "127.0.0.1:\(port)", "-ca-cert", certs.path("other-ca.pem"), "-client-cert",
                certs.path("foreign-cli.pem"), "-client-key", certs.path("foreign-cli-key.pem"),
            ]
        )
        #expect(foreign.status == 1)
        #expect(foreign.stderr.hasPrefix("Error: 127.0.0.1:\(port): TLS"))
        #expect(foreign.stderr.split(separator: "\n").count == 1)

        let noCerts = try await runCommand(ctl, ["status", "-address", "127.0.0.1:\(port)"])
        #expect(noCerts.status == 1)
        #expect(noCerts.stderr.contains("CARAVAN_CACERT is not set"))

        let good = try await runCommand(ctl, ["status", "-address", "127.0.0.1:\(port)"], environment: cliEnvironment)
        #expect(good.status == 0, "\(good.stderr)")
        #expect(await process.stop() == 0)
    }

    @Test("a daemon reads an agent config file; flags on the command line win; a bad file is refused")
    func configFile() async throws {
        let config = certs.path("client-agent.hcl")
        try """
        name = "from-file"
        bind_addr = "127.0.0.1"
        ports {
          client = 0
        }
        tls {
          ca_file   = "\(certs.path("ca.pem"))"
          cert_file = "\(certs.path("client.pem"))"
          key_file  = "\(certs.path("client-key.pem"))"
        }
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let process = try DaemonProcess(
            "clientd", ["-config", config, "-dc", "dc7", "-data-dir", certs.path("cfg-data")])
        let port = try await process.listeningPort()
        let status = try await runCommand(
            ctl, ["status", "-address", "127.0.0.1:\(port)"], environment: cliEnvironment)
        #expect(recordField("Name", in: status.stdout) == "from-file", "\(status.stderr)")
        #expect(recordField("Datacenter", in: status.stdout) == "dc7")
        #expect(await process.stop() == 0)

        let bad = certs.path("bad-agent.hcl")
        try "ports {\n  client = \"lots\"\n}\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try await runCommand(BuiltProducts.path("clientd"), ["-config", bad])
        #expect(refused.status == 1)
        #expect(refused.stderr.hasPrefix("clientd: \(bad):2:"))
    }
}
