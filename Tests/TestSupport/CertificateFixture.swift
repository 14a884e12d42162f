import CaravanRPC
import Foundation

/// A temporary directory holding an agent CA and certificates for every role, written with the same factory
/// `ctl tls` uses, plus the hostile variants tests need: a second CA, an expired and a not-yet-valid certificate.
public final class CertificateFixture: Sendable {
    public let directory: String
    public let region: String

    public init(region: String = "global") throws {
        self.region = region
        directory = try TemporaryDirectory.make(prefix: "caravan-certs")
        // Backdated so the expired certificate below was once valid under it.
        let ca = try CertificateFactory.createCA(now: Date().addingTimeInterval(-10 * 86_400))
        try write(ca.certificatePEM, "ca.pem")
        try write(ca.privateKeyPEM, "ca-key.pem")
        for role in AgentRole.allCases {
            let issued = try CertificateFactory.createAgentCertificate(
                role: role,
                region: region,
                caCertificatePEM: ca.certificatePEM,
                caPrivateKeyPEM: ca.privateKeyPEM
            )
            try write(issued.certificatePEM, "\(role.rawValue).pem")
            try write(issued.privateKeyPEM, "\(role.rawValue)-key.pem")
        }
        let expired = try CertificateFactory.createAgentCertificate(
            role: .cli,
            region: region,
            caCertificatePEM: ca.certificatePEM,
            caPrivateKeyPEM: ca.privateKeyPEM,
            days: 1,
            now: Date().addingTimeInterval(-3 * 86_400)
        )
        try write(expired.certificatePEM, "expired-cli.pem")
        try write(expired.privateKeyPEM, "expired-cli-key.pem")
        let future = try CertificateFactory.createAgentCertificate(
            role: .cli,
            region: region,
            caCertificatePEM: ca.certificatePEM,
            caPrivateKeyPEM: ca.privateKeyPEM,
            days: 10,
            now: Date().addingTimeInterval(2 * 86_400)
        )
        try write(future.certificatePEM, "future-cli.pem")
        try write(future.privateKeyPEM, "future-cli-key.pem")
        let otherRegion = try CertificateFactory.createAgentCertificate(
            role: .cli,
            region: "other",
            caCertificatePEM: ca.certificatePEM,
            caPrivateKeyPEM: ca.privateKeyPEM
        )
        try write(otherRegion.certificatePEM, "other-region-cli.pem")
        try write(otherRegion.privateKeyPEM, "other-region-cli-key.pem")

        let otherCA = try CertificateFactory.createCA(commonName: "Some Other CA")
        try write(otherCA.certificatePEM, "other-ca.pem")
        let foreign = try CertificateFactory.createAgentCertificate(
            role: .cli,
            region: region,
            caCertificatePEM: otherCA.certificatePEM,
            caPrivateKeyPEM: otherCA.privateKeyPEM
        )
        try write(foreign.certificatePEM, "foreign-cli.pem")
        try write(foreign.privateKeyPEM, "foreign-cli-key.pem")
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    public func path(_ name: String) -> String { "\(directory)/\(name)" }

    /// The CA plus the certificate named `name` (`server`, `cli`, `expired-cli`, `foreign-cli`, ...).
    public func files(_ name: String, ca: String = "ca.pem") -> TLSFiles {
        TLSFiles(caFile: path(ca), certFile: path("\(name).pem"), keyFile: path("\(name)-key.pem"))
    }

    /// Loads material without the validity check, for certificates that are meant to be invalid.
    public func material(_ name: String, ca: String = "ca.pem", at now: Date = Date()) throws -> TLSMaterial {
        try TLSMaterial(files: files(name, ca: ca), now: now)
    }

    private func write(_ text: String, _ name: String) throws {
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
    }
}

/// Creates unique temporary directories for tests.
public enum TemporaryDirectory {
    public static func make(prefix: String) throws -> String {
        let path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
