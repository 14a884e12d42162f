import ArgumentParser
import CaravanDaemon
import CaravanRPC
import Foundation

/// How `ctl` reaches a daemon: address and mTLS files, from flags or `CARAVAN_*` environment variables.
public struct ConnectionOptions: ParsableArguments, Sendable {
    @Option(name: .hashicorp("address"), help: "host:port of the daemon (env CARAVAN_ADDR; default 127.0.0.1:4647).")
    public var address: String?

    @Option(name: .hashicorp("ca-cert"), help: "PEM file of the agent CA (env CARAVAN_CACERT).")
    public var caCert: String?

    @Option(name: .hashicorp("client-cert"), help: "PEM cli certificate (env CARAVAN_CLIENT_CERT).")
    public var clientCert: String?

    @Option(name: .hashicorp("client-key"), help: "PEM key of the cli certificate (env CARAVAN_CLIENT_KEY).")
    public var clientKey: String?

    @Option(name: .hashicorp("timeout"), help: "Deadline for each call, in seconds.")
    public var timeoutSeconds: Double = 10

    public init() {}

    public func validate() throws {
        guard timeoutSeconds > 0 else { throw ValidationError("-timeout must be positive") }
    }

    /// The address to dial: flag, else `environmentKey`, else `fallback`.
    public func target(environmentKey: String = "CARAVAN_ADDR", fallback: String = "127.0.0.1:4647") throws -> HostPort
    {
        let text = address ?? Self.environment(environmentKey) ?? fallback
        return try HostPort(parsing: text)
    }

    /// Loads and checks the TLS files; names the flag and variable when one is missing.
    public func dialer() throws -> RPCDialer {
        let ca = try Self.required(caCert, flag: "-ca-cert", variable: "CARAVAN_CACERT")
        let cert = try Self.required(clientCert, flag: "-client-cert", variable: "CARAVAN_CLIENT_CERT")
        let key = try Self.required(clientKey, flag: "-client-key", variable: "CARAVAN_CLIENT_KEY")
        let tls = try TLSMaterial(files: TLSFiles(caFile: ca, certFile: cert, keyFile: key))
        return RPCDialer(tls: tls, callTimeout: .milliseconds(Int(timeoutSeconds * 1000)))
    }

    static func environment(_ key: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[key], !value.isEmpty else { return nil }
        return value
    }

    static func required(_ flag: String?, flag name: String, variable: String) throws -> String {
        if let flag { return flag }
        if let value = environment(variable) { return value }
        throw CaravanError.invalidArgument("no \(name) given and \(variable) is not set (mutual TLS is required)")
    }
}
