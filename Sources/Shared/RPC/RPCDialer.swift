import GRPCCore
import GRPCNIOTransportHTTP2
import NIOSSL
import Synchronization
import X509

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
        let rejection = RejectionReason()
        let transport = try makeTransport(address, expecting: identity, rejection: rejection)
        do {
            return try await withGRPCClient(transport: transport) { client in
                try await body(client)
            }
        } catch {
            // Our own verifier knows why it refused the peer; that beats BoringSSL's generic handshake failure.
            if let reason = rejection.reason {
                throw CaravanError(.unavailable, "\(address): TLS: \(reason)")
            }
            throw CaravanError(RPCErrorText.code(of: error), "\(address): \(RPCErrorText.describe(error))")
        }
    }

    func makeTransport(
        _ address: HostPort,
        expecting identity: AgentIdentity?,
        rejection: RejectionReason
    ) throws -> HTTP2ClientTransport.Posix {
        let verifier = PeerVerifier(authority: tls.caCertificate, expected: identity)
        let security = HTTP2ClientTransport.Posix.TransportSecurity.mTLS(
            certificateChain: tls.certificateSources,
            privateKey: tls.privateKeySource
        ) { config in
            config.trustRoots = tls.trustRoots
            // The verifier below checks the chain, validity and role; NIOSSL's hostname check would accept any
            // certificate with a matching IP SAN.
            config.serverCertificateVerification = .noHostnameVerification
            config.customVerificationCallback = { certificates, promise in
                let chain = certificates.compactMap { try? Certificate(derEncoded: $0.toDERBytes()) }
                if let problem = verifier.problem(with: chain) {
                    rejection.record(problem)
                    promise.succeed(.failed)
                } else {
                    promise.succeed(.certificateVerified(VerificationMetadata(nil)))
                }
            }
        }
        var config = HTTP2ClientTransport.Posix.Config.defaults
        // The authority is also the TLS server name; an IP address may not be one, so without an expected role
        // use "localhost", which every agent certificate carries.
        config.http2.authority = identity?.description ?? "localhost"
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

/// Why our verifier refused a peer during the handshake, kept for the error message.
final class RejectionReason: Sendable {
    private let value = Mutex<String?>(nil)

    var reason: String? { value.withLock { $0 } }

    func record(_ reason: String) { value.withLock { $0 = reason } }
}
