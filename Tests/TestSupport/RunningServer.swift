import CaravanRPC
import GRPCCore

/// Runs an `RPCServer` on 127.0.0.1 port 0 for the duration of `body`, then shuts it down gracefully.
@discardableResult
public func withRunningServer<Result: Sendable>(
    tls: TLSMaterial,
    region: String = "global",
    services: [any RegistrableRPCService],
    policy: AccessPolicy = .caravan,
    _ body: (RPCServer, HostPort) async throws -> Result
) async throws -> Result {
    let server = RPCServer(
        bind: HostPort(host: "127.0.0.1", port: 0),
        tls: tls,
        region: region,
        services: services,
        policy: policy
    )
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.serve() }
        let address = try await server.listeningAddress()
        do {
            let result = try await body(server, address)
            server.beginGracefulShutdown()
            try await group.waitForAll()
            return result
        } catch {
            server.beginGracefulShutdown()
            group.cancelAll()
            throw error
        }
    }
}
