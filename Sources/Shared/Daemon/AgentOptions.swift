import ArgumentParser
import CaravanRPC
import Foundation

/// The flags every daemon shares, with the same names in each (`-bind`, `-region`, `-ca-file`, ...).
public struct AgentOptions: ParsableArguments, Sendable {
    @Option(
        name: .hashicorp("config"),
        help: ArgumentHelp(
            "Agent config file, HCL or JSON (repeatable; later files win, flags win over files).",
            valueName: "file"
        )
    )
    public var configFiles: [String] = []

    @Option(name: .hashicorp("data-dir"), help: "Directory for this agent's state (created 0700 if missing).")
    public var dataDir: String?

    @Option(name: .hashicorp("bind"), help: "IP address to listen on (the port comes from the port flags).")
    public var bind: String = "0.0.0.0"

    @Option(name: .hashicorp("region"), help: "Region this agent belongs to; peers must be in the same region.")
    public var region: String = "global"

    @Option(name: .hashicorp("dc"), help: "Datacenter this agent belongs to.")
    public var datacenter: String = "dc1"

    @Option(name: .hashicorp("node"), help: "Name of this agent (default: the host name).")
    public var node: String?

    @Option(name: .hashicorp("ca-file"), help: "PEM file of the CA that signs every agent certificate.")
    public var caFile: String

    @Option(name: .hashicorp("cert-file"), help: "PEM certificate of this agent; carries its role as a DNS SAN.")
    public var certFile: String

    @Option(name: .hashicorp("key-file"), help: "PEM private key matching -cert-file.")
    public var keyFile: String

    @Option(name: .hashicorp("log-level"), help: "One of trace, debug, info, warn, error.")
    public var logLevel: LogLevelOption = .info

    @Flag(name: .hashicorp("log-json"), help: "Log one JSON object per line instead of text.")
    public var logJSON: Bool = false

    public init() {}

    public func validate() throws {
        guard RegionName.isValid(region) else {
            throw ValidationError("-region \"\(region)\": use lowercase letters, digits and dashes")
        }
        guard RegionName.isValid(datacenter) else {
            throw ValidationError("-dc \"\(datacenter)\": use lowercase letters, digits and dashes")
        }
        if let node, node.isEmpty { throw ValidationError("-node must not be empty") }
        guard IPAddressBytes.parse(bind) != nil else {
            throw ValidationError("-bind \"\(bind)\": not an IP address (ports have their own flags)")
        }
    }

    public var tlsFiles: TLSFiles { TLSFiles(caFile: caFile, certFile: certFile, keyFile: keyFile) }

    /// The agent's name: `-node`, else the host name.
    public var nodeName: String { node ?? ProcessInfo.processInfo.hostName }

    /// `-bind` with the daemon's port.
    public func listenAddress(port: Int) -> HostPort {
        HostPort(host: bind, port: port)
    }
}

/// Validates a port flag: 0 means "pick one".
public func validatePort(_ port: Int, flag: String) throws {
    guard (0...65535).contains(port) else { throw ValidationError("-\(flag) \(port): must be from 0 to 65535") }
}
