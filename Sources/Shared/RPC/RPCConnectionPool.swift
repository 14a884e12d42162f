import GRPCCore
import GRPCNIOTransportHTTP2

/// Long-lived mutual-TLS connections, one per peer address, for frequent calls (forwarded writes, say) that
/// should not pay a TLS handshake each. The underlying client reconnects by itself; a call made while the
/// peer is down fails fast, as with `RPCDialer.withClient`.
public actor RPCConnectionPool {
    private struct Connection {
        var client: GRPCClient<HTTP2ClientTransport.Posix>
        var rejection: RejectionReason
        var task: Task<Void, Never>
    }

    let dialer: RPCDialer
    let identity: AgentIdentity?
    private var connections: [HostPort: Connection] = [:]

    public init(dialer: RPCDialer, expecting identity: AgentIdentity?) {
        self.dialer = dialer
        self.identity = identity
    }

    /// Calls `body` with the pooled client for `address`; errors become a `CaravanError` naming the address.
    public func withClient<Result: Sendable>(
        _ address: HostPort,
        _ body: @Sendable (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> Result
    ) async throws -> Result {
        let connection = try connection(to: address)
        do {
            return try await body(connection.client)
        } catch let error as CaravanError {
            throw error
        } catch {
            if let reason = connection.rejection.reason {
                throw CaravanError(.unavailable, "\(address): TLS: \(reason)")
            }
            throw CaravanError(RPCErrorText.code(of: error), "\(address): \(RPCErrorText.describe(error))")
        }
    }

    private func connection(to address: HostPort) throws -> Connection {
        if let existing = connections[address] { return existing }
        let rejection = RejectionReason()
        let client = GRPCClient(transport: try dialer.makeTransport(address, expecting: identity, rejection: rejection))
        let task = Task { _ = try? await client.runConnections() }
        let connection = Connection(client: client, rejection: rejection, task: task)
        connections[address] = connection
        return connection
    }

    /// Closes every connection; calls in flight finish first.
    public func shutdown() {
        for connection in connections.values {
            connection.client.beginGracefulShutdown()
        }
        connections.removeAll()
    }
}
