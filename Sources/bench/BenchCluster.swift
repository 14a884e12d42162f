import CaravanRPC
import GRPCCore

/// A three-member cluster on loopback that `bench raft` writes to: Caravan's serverd, or etcd for comparison.
///
/// Both are driven the same way, over mutual-TLS gRPC with one HTTP/2 connection per member, so the client side
/// costs the same and the numbers differ only by what the servers do.
protocol BenchCluster: Sendable {
    /// Name in the results table.
    var system: String { get }
    /// Where clients connect, one per member.
    var clientAddresses: [HostPort] { get }
    /// Log markers of trouble (warnings, errors), searched in every member's log after the run.
    var problemMarkers: [String] { get }

    /// The leader each member names, in `clientAddresses` order ("" when a member knows none).
    func reportedLeaders(dialer: RPCDialer) async throws -> [String]

    /// The index in `clientAddresses` of the member that leads now.
    func leaderIndex(dialer: RPCDialer) async throws -> Int

    /// A writer that sends writes over `client`, an open connection to one member.
    func writer<Transport: ClientTransport>(_ client: GRPCClient<Transport>) -> KeyWriter
}

extension BenchCluster {
    /// Polls every member until all name the same leader (forwarding needs it known).
    func waitForLeader(dialer: RPCDialer, daemons: LocalDaemons, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        var lastProblem = "no answer yet"
        while ContinuousClock.now < deadline {
            if let exited = daemons.exited().first {
                throw BenchError("a \(system) member exited during startup: \(exited)")
            }
            do {
                let leaders = try await reportedLeaders(dialer: dialer)
                if let first = leaders.first, !first.isEmpty, leaders.allSatisfy({ $0 == first }) { return }
                lastProblem = "leaders reported: \(leaders.map { $0.isEmpty ? "(none)" : $0 })"
            } catch {
                lastProblem = "\(error)"
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw BenchError(
            "no leader known to all \(system) members within \(timeout) (\(lastProblem)); logs in \(daemons.directory)")
    }

    /// Opens one connection per member, runs `body` with a writer for each, and closes them.
    func withWriters<Result: Sendable>(
        dialer: RPCDialer,
        _ body: ([KeyWriter]) async throws -> Result
    ) async throws -> Result {
        try await openWriters(from: 0, opened: [], dialer: dialer, body)
    }

    private func openWriters<Result: Sendable>(
        from index: Int,
        opened: [KeyWriter],
        dialer: RPCDialer,
        _ body: ([KeyWriter]) async throws -> Result
    ) async throws -> Result {
        guard index < clientAddresses.count else { return try await body(opened) }
        return try await dialer.withClient(clientAddresses[index]) { client in
            try await openWriters(from: index + 1, opened: opened + [writer(client)], dialer: dialer, body)
        }
    }
}
