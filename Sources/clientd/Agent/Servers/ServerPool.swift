import CaravanProto
import CaravanRPC
import GRPCCore
import GRPCNIOTransportHTTP2

/// The servers this node talks to: the shared failover pool, with the Nodes client the agent calls through.
public struct ServerPool: Sendable {
    let pool: ServerFailoverPool

    /// `streamTimeout` bounds a long-lived stream (the allocation watch), which is then resumed.
    public init(servers: [HostPort], tls: TLSMaterial, region: String, streamTimeout: Duration = .seconds(300)) {
        pool = ServerFailoverPool(servers: servers, tls: tls, region: region, streamTimeout: streamTimeout)
    }

    /// Calls the Nodes service on one server after another until one answers (see `ServerFailoverPool`).
    public func nodes<Result: Sendable>(
        streaming: Bool = false,
        _ body: @Sendable (Caravan_V1_Nodes.Client<HTTP2ClientTransport.Posix>) async throws -> Result
    ) async throws -> Result {
        try await pool.withServer(streaming: streaming) { client in
            try await body(Caravan_V1_Nodes.Client(wrapping: client))
        }
    }

    /// Adds servers named in a server's answer (`host:port`), keeping the order of the known ones.
    public func learn(_ addresses: [String]) async {
        await pool.learn(addresses)
    }

    public var known: [HostPort] { get async { await pool.known } }

    static func isUnreachable(_ error: any Error) -> Bool { ServerFailoverPool.isUnreachable(error) }

    public func shutdown() async {
        await pool.shutdown()
    }
}
