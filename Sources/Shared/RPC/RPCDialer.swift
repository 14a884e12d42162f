import GRPCCore
import GRPCNIOTransportHTTP2

/// The one way Caravan dials a peer: mutual TLS with this agent's certificate, the peer verified against the CA.
///
/// With `expecting` set, the peer must also prove that role: its certificate must carry `<role>.<region>.caravan`
/// (used as the TLS server name), so a client that dials a server cannot be answered by a mesh agent. Without it
/// (`ctl status` against any daemon) any certificate from the CA is accepted.
public struct RPCDialer: Sendable {
    public let tls: TLSMaterial
    /// Deadline applied to every call made through clients from this dialer.
    public let callTimeout: Duration

    public init(tls: TLSMaterial, callTimeout: Duration = .seconds(10)) {
        self.tls = tls
        self.callTimeout = callTimeout
    }

    /// Connects to `address`, runs `body` with a client, and closes the connection.
    public func withClient<Result: Sendable>(
        _ address: HostPort,
        expecting identity: AgentIdentity? = nil,
        _ body: (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> Result
    ) async throws -> Result {
        let transport = try makeTransport(address, expecting: identity)
        do {
            return try await withGRPCClient(transport: transport) { client in
                try await body(client)
            }
        } catch {
            throw CaravanError(RPCErrorText.code(of: error), "\(address): \(RPCErrorText.describe(error))")
        }
    }

    func makeTransport(_ address: HostPort, expecting identity: AgentIdentity?) throws -> HTTP2ClientTransport.Posix {
        let security = HTTP2ClientTransport.Posix.TransportSecurity.mTLS(
            certificateChain: tls.certificateSources,
            privateKey: tls.privateKeySource
        ) { config in
            config.trustRoots = tls.trustRoots
            config.serverCertificateVerification = identity == nil ? .noHostnameVerification : .fullVerification
        }
        var config = HTTP2ClientTransport.Posix.Config.defaults
        if let identity { config.http2.authority = identity.description }
        config.connection.maxIdleTime = .seconds(30)
        config.backoff.initial = .milliseconds(100)
        let target: any ResolvableTarget =
            address.host.contains(":")
            ? .ipv6(address: address.host, port: address.port) : .dns(host: address.host, port: address.port)
        // Every method gets the dialer's deadline and fails fast instead of queueing while the peer is down.
        let everyMethod = MethodConfig(
            names: [MethodConfig.Name(service: "")], waitForReady: false, timeout: callTimeout)
        return try HTTP2ClientTransport.Posix(
            target: target,
            transportSecurity: security,
            config: config,
            serviceConfig: ServiceConfig(methodConfig: [everyMethod])
        )
    }
}
