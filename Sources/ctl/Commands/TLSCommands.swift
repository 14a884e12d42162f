import ArgumentParser
import CaravanDaemon
import CaravanRPC
import Foundation

/// `ctl tls`: creates the agent CA and the role certificates every daemon and `ctl` need, like `nomad tls`.
public struct TLSCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "tls",
        abstract: "Create the agent CA and agent certificates for mutual TLS.",
        subcommands: [CACommand.self, CertCommand.self]
    )

    public init() {}
}

struct CACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ca",
        abstract: "Manage the agent CA.",
        subcommands: [CACreateCommand.self]
    )
}

struct CertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cert",
        abstract: "Manage agent certificates.",
        subcommands: [CertCreateCommand.self]
    )
}

/// File names shared by `ca create` and `cert create`, as `nomad tls` names them.
enum TLSFileNames {
    static let caCertificate = "caravan-agent-ca.pem"
    static let caKey = "caravan-agent-ca-key.pem"

    static func certificate(role: AgentRole, region: String) -> String { "\(region)-\(role.rawValue)-caravan.pem" }
    static func key(role: AgentRole, region: String) -> String { "\(region)-\(role.rawValue)-caravan-key.pem" }
}

struct CACreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a new agent CA in the current directory.",
        discussion: """
            Writes \(TLSFileNames.caCertificate) and \(TLSFileNames.caKey) (mode 0600). Refuses to overwrite \
            existing files. Exit status: 0 on success, 1 on failure, 64 for bad flags.
            """
    )

    @Option(name: .hashicorp("days"), help: "How long the CA is valid.") var days: Int = 1825
    @Option(name: .hashicorp("common-name"), help: "Common name of the CA.") var commonName = "Caravan Agent CA"

    func validate() throws {
        guard days > 0 else { throw ValidationError("-days must be positive") }
    }

    func run() async throws {
        try await reportingErrors {
            try PEMFileWriter.refuseExisting([TLSFileNames.caCertificate, TLSFileNames.caKey])
            let ca = try CertificateFactory.createCA(commonName: commonName, days: days)
            try PEMFileWriter.write(ca.certificatePEM, to: TLSFileNames.caCertificate, mode: 0o644)
            try PEMFileWriter.write(ca.privateKeyPEM, to: TLSFileNames.caKey, mode: 0o600)
            print("==> CA certificate saved to: \(TLSFileNames.caCertificate)")
            print("==> CA certificate key saved to: \(TLSFileNames.caKey)")
        }
    }
}

struct CertCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an agent certificate signed by the agent CA.",
        discussion: """
            Exactly one of -server, -client, -mesh, -cli. The certificate carries the DNS SANs \
            <role>.<region>.caravan and localhost and the IP SAN 127.0.0.1, plus any -additional-dnsname and \
            -additional-ipaddress. Writes <region>-<role>-caravan.pem and <region>-<role>-caravan-key.pem \
            (mode 0600) in the current directory and refuses to overwrite them.
            Exit status: 0 on success, 1 on failure, 64 for bad flags.
            """
    )

    @Flag(name: .hashicorp("server"), help: "A certificate for serverd.") var server = false
    @Flag(name: .hashicorp("client"), help: "A certificate for clientd (and proxyd).") var client = false
    @Flag(name: .hashicorp("mesh"), help: "A certificate for meshd.") var mesh = false
    @Flag(name: .hashicorp("cli"), help: "A certificate for ctl.") var cli = false
    @Option(name: .hashicorp("region"), help: "Region of the agent.") var region = "global"
    @Option(name: .hashicorp("days"), help: "How long the certificate is valid.") var days: Int = 365
    @Option(name: .hashicorp("ca"), help: "CA certificate file.") var caFile = TLSFileNames.caCertificate
    @Option(name: .hashicorp("key"), help: "CA private key file.") var caKeyFile = TLSFileNames.caKey
    @Option(name: .hashicorp("additional-dnsname"), help: "Extra DNS SAN (repeatable).") var dnsNames: [String] = []
    @Option(name: .hashicorp("additional-ipaddress"), help: "Extra IP SAN (repeatable).") var ipAddresses: [String] = []

    var role: AgentRole? {
        let chosen: [AgentRole] = [
            server ? .server : nil, client ? .client : nil, mesh ? .mesh : nil, cli ? .cli : nil,
        ]
        .compactMap { $0 }
        return chosen.count == 1 ? chosen[0] : nil
    }

    func validate() throws {
        guard role != nil else { throw ValidationError("give exactly one of -server, -client, -mesh, -cli") }
        guard days > 0 else { throw ValidationError("-days must be positive") }
        guard RegionName.isValid(region) else {
            throw ValidationError("-region \"\(region)\": use lowercase letters, digits and dashes")
        }
    }

    func run() async throws {
        guard let role else { throw ExitCode.validationFailure }
        try await reportingErrors {
            let certPath = TLSFileNames.certificate(role: role, region: region)
            let keyPath = TLSFileNames.key(role: role, region: region)
            try PEMFileWriter.refuseExisting([certPath, keyPath])
            let caPEM = try readFile(caFile, what: "CA certificate", flag: "-ca")
            let caKeyPEM = try readFile(caKeyFile, what: "CA key", flag: "-key")
            let issued = try CertificateFactory.createAgentCertificate(
                role: role,
                region: region,
                caCertificatePEM: caPEM,
                caPrivateKeyPEM: caKeyPEM,
                days: days,
                additionalDNSNames: dnsNames,
                additionalIPAddresses: ipAddresses
            )
            try PEMFileWriter.write(issued.certificatePEM, to: certPath, mode: 0o644)
            try PEMFileWriter.write(issued.privateKeyPEM, to: keyPath, mode: 0o600)
            print("==> Using CA file \(caFile) and CA key \(caKeyFile)")
            print("==> \(role.rawValue) certificate saved to: \(certPath)")
            print("==> \(role.rawValue) certificate key saved to: \(keyPath)")
        }
    }

    func readFile(_ path: String, what: String, flag: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CaravanError.invalidArgument(
                "\(path): cannot read the \(what) (run `ctl tls ca create` or pass \(flag))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
