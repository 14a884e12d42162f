import GRPCCore
import GRPCNIOTransportHTTP2

/// The servers an agent (clientd, meshd) talks to. Any server accepts agent calls (followers forward writes to the
/// leader), so a call goes to the server that answered last and moves on to the next one when that server is
/// unreachable. Servers learned from answers join the list, so the agent survives losing the configured ones.
public actor ServerFailoverPool {
    private var servers: [HostPort]
    private var preferred = 0
    private let calls: RPCConnectionPool
    private let streams: RPCConnectionPool

    /// `streamTimeout` bounds a long-lived stream (a watch), which its owner then resumes.
    public init(servers: [HostPort], tls: TLSMaterial, region: String, streamTimeout: Duration = .seconds(300)) {
        self.servers = servers
        let identity = AgentIdentity(role: .server, region: region)
        calls = RPCConnectionPool(dialer: RPCDialer(tls: tls, callTimeout: .seconds(10)), expecting: identity)
        streams = RPCConnectionPool(dialer: RPCDialer(tls: tls, callTimeout: streamTimeout), expecting: identity)
    }

    /// Calls `body` on one server after another until one answers; the last error otherwise. Only "cannot reach
    /// it" errors move on: a server's refusal (bad secret, invalid input) is the answer.
    public func withServer<Result: Sendable>(
        streaming: Bool = false,
        _ body: @Sendable (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> Result
    ) async throws -> Result {
        guard !servers.isEmpty else { throw CaravanError.unavailable("no servers configured (-servers)") }
        var lastError: any Error = CaravanError.unavailable("no server answered")
        for attempt in 0..<servers.count {
            let index = (preferred + attempt) % servers.count
            let address = servers[index]
            do {
                let result = try await (streaming ? streams : calls).withClient(address, body)
                preferred = index
                return result
            } catch {
                lastError = error
                guard Self.isUnreachable(error) else { throw error }
            }
        }
        throw lastError
    }

    /// Adds servers named in a server's answer (`host:port`), keeping the order of the known ones.
    public func learn(_ addresses: [String]) {
        for text in addresses {
            guard let address = try? HostPort.list(parsing: text, defaultPort: 4647).first else { continue }
            if !servers.contains(address) { servers.append(address) }
        }
    }

    public var known: [HostPort] { servers }

    /// Errors that mean "try another server" rather than "the server said no".
    public static func isUnreachable(_ error: any Error) -> Bool {
        switch RPCErrorText.code(of: error) {
        case .unavailable, .deadlineExceeded, .unknown, .internalError, .cancelled: true
        default: false
        }
    }

    public func shutdown() async {
        await calls.shutdown()
        await streams.shutdown()
    }
}
