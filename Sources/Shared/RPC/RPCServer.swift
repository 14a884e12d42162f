import GRPCCore
import GRPCNIOTransportHTTP2
import Logging

/// The one way Caravan serves gRPC: HTTP/2 over mutual TLS, every call authorized by the caller's role.
///
/// Clients must present a certificate issued by the configured CA; TLS rejects other CAs, expired certificates
/// and plaintext before any handler runs, while the daemon keeps serving other peers. `RoleAuthorizer` then
/// checks the role per service.
public final class RPCServer: Sendable {
    public let transport: HTTP2ServerTransport.Posix
    public let server: GRPCServer<HTTP2ServerTransport.Posix>
    public let bindAddress: HostPort

    public init(
        bind: HostPort,
        tls: TLSMaterial,
        region: String,
        services: [any RegistrableRPCService],
        policy: AccessPolicy = .caravan
    ) {
        bindAddress = bind
        let security = HTTP2ServerTransport.Posix.TransportSecurity.mTLS(
            certificateChain: tls.certificateSources,
            privateKey: tls.privateKeySource
        ) { config in
            config.trustRoots = tls.trustRoots
            config.clientCertificateVerification = .noHostnameVerification
        }
        var config = HTTP2ServerTransport.Posix.Config.defaults
        config.rpc.maxRequestPayloadSize = 16 * 1024 * 1024
        transport = HTTP2ServerTransport.Posix(
            address: bind.socketAddress,
            transportSecurity: security,
            config: config
        )
        server = GRPCServer(
            transport: transport,
            services: services,
            interceptors: [RoleAuthorizer(policy: policy, region: region), ErrorMapper()]
        )
    }

    /// Serves until `beginGracefulShutdown()`; in-flight calls complete first.
    public func serve() async throws {
        do {
            try await server.serve()
        } catch {
            throw CaravanError.unavailable("cannot serve on \(bindAddress): \(RPCErrorText.describe(error))")
        }
    }

    /// The bound address (the real port when bound to port 0). Waits until bound; throws if binding failed.
    public func listeningAddress() async throws -> HostPort {
        let address = try await transport.listeningAddress
        if let ipv4 = address.ipv4 { return HostPort(host: ipv4.host, port: ipv4.port) }
        if let ipv6 = address.ipv6 { return HostPort(host: ipv6.host, port: ipv6.port) }
        return bindAddress
    }

    /// Stops accepting new calls and lets in-flight calls finish.
    public func beginGracefulShutdown() {
        server.beginGracefulShutdown()
    }
}

extension HostPort {
    var socketAddress: GRPCNIOTransportCore.SocketAddress {
        host.contains(":") ? .ipv6(host: host, port: port) : .ipv4(host: host, port: port)
    }
}
