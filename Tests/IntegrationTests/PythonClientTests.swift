import Foundation
import TestSupport
import Testing

/// A client in another language, generated from `Proto/` by the standard Python gRPC tools, calls a daemon.
@Suite("The API from Python", .serialized, .timeLimit(.minutes(2)))
struct PythonClientTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("a grpcio client generated from Proto/ calls Agent.Status over mutual TLS")
    func pythonStatus() async throws {
        let certs = try CertificateFixture()
        let stubs = try TemporaryDirectory.make(prefix: "caravan-py-stubs")
        defer { try? FileManager.default.removeItem(atPath: stubs) }
        let proto = Self.repository.appendingPathComponent("Proto").path
        let protoFiles = try FileManager.default.contentsOfDirectory(atPath: "\(proto)/caravan/v1")
            .filter { $0.hasSuffix(".proto") }.map { "caravan/v1/\($0)" }
        let generate = try await runCommand(
            "/usr/bin/env",
            ["python3", "-m", "grpc_tools.protoc", "-I", proto, "--python_out=\(stubs)", "--grpc_python_out=\(stubs)"]
                + protoFiles,
            directory: proto
        )
        try #require(
            generate.status == 0, "grpc_tools.protoc failed (deploy/test installs grpcio-tools): \(generate.stderr)")

        let daemon = try DaemonProcess(
            "serverd",
            [
                "-bind", "127.0.0.1", "-rpc-port", "0", "-raft-port", "0", "-data-dir", certs.path("py-data"),
                "-node", "py-target", "-ca-file", certs.path("ca.pem"),
                "-cert-file", certs.path("server.pem"), "-key-file", certs.path("server-key.pem"),
            ]
        )
        let port = try await daemon.listeningPort()
        let script = Self.repository.appendingPathComponent("Tests/IntegrationTests/python/status_client.py").path
        let result = try await runCommand(
            "/usr/bin/env",
            [
                "python3", script, stubs, "127.0.0.1:\(port)", certs.path("ca.pem"), certs.path("cli.pem"),
                certs.path("cli-key.pem"), "server.global.caravan",
            ]
        )
        #expect(result.status == 0, "\(result.stderr)")
        let status = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(status?["name"] as? String == "py-target")
        #expect(status?["role"] as? String == "ROLE_SERVER")

        // The same client with the wrong expected role must fail: the server is no mesh agent.
        let wrong = try await runCommand(
            "/usr/bin/env",
            [
                "python3", script, stubs, "127.0.0.1:\(port)", certs.path("ca.pem"), certs.path("cli.pem"),
                certs.path("cli-key.pem"), "mesh.global.caravan",
            ]
        )
        #expect(wrong.status != 0)
        #expect(await daemon.stop() == 0)
    }
}
