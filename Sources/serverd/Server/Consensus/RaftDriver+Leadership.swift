import CaravanProto
import CaravanRPC
import GRPCCore
import GRPCNIOTransportHTTP2
import Raft

/// Whether this server leads, and in which term: what the leader's duties (eval broker, plan applier,
/// heartbeat timers) start and stop on.
public struct Leadership: Sendable, Equatable {
    public var isLeader: Bool
    public var term: UInt64
}

extension RaftDriver {
    /// This server's leadership now and after every change, until the driver stops.
    public func leadershipUpdates() -> AsyncStream<Leadership> {
        let (stream, continuation) = AsyncStream.makeStream(of: Leadership.self, bufferingPolicy: .bufferingNewest(8))
        continuation.yield(currentLeadership)
        leadershipWatchers.append(continuation)
        return stream
    }

    var currentLeadership: Leadership {
        Leadership(isLeader: node.role == .leader, term: node.term)
    }

    /// Tells the watchers when leadership changed; called after every Ready and tick.
    func noteLeadership() {
        let now = currentLeadership
        guard now != lastReportedLeadership else { return }
        lastReportedLeadership = now
        for watcher in leadershipWatchers { watcher.yield(now) }
    }

    func finishLeadershipWatchers() {
        for watcher in leadershipWatchers { watcher.finish() }
        leadershipWatchers.removeAll()
    }

    /// Calls `body` with a client for the leader's RPC port, for calls only the leader can answer (a node's
    /// heartbeat resets a timer that lives on the leader). Throws UNAVAILABLE while there is no leader.
    public func withLeaderRPCClient<Result: Sendable>(
        _ body: @Sendable (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> Result
    ) async throws -> Result {
        let leader = try await awaitLeader()
        return try await transport.requests.withClient(leader.rpcAddress, body)
    }

    /// True when this server is the leader now.
    public var isLeader: Bool { node.role == .leader }

    /// The RPC addresses of every server, the leader's first, for clients that follow the leader.
    public var serverRPCAddresses: (leader: String, all: [String]) {
        let leader = node.leader.flatMap { knownMembers[$0]?.rpcAddress.description } ?? ""
        let all = knownMembers.values.map(\.rpcAddress.description).sorted()
        return (leader, all)
    }
}
