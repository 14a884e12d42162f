import CaravanProto
import CaravanRPC
import Foundation
import State
import SwiftProtobuf

/// Handles a node's heartbeat where it must be handled: on the leader, which owns the timers (a follower
/// forwards the call). A heartbeat from a node marked down brings it back to ready, with evaluations for the
/// system jobs it should run again.
public struct NodeHeartbeats: Sendable {
    let handle: ConsensusHandle
    let duties: LeaderDuties
    let queries: ClusterQueries
    let now: @Sendable () -> Date

    public init(
        handle: ConsensusHandle, duties: LeaderDuties, queries: ClusterQueries,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.handle = handle
        self.duties = duties
        self.queries = queries
        self.now = now
    }

    func heartbeat(nodeID: String, secretID: String, status: Caravan_V1_NodeStatus) async throws
        -> Caravan_V1_NodeHeartbeatResponse
    {
        let driver = try handle.driver()
        guard await driver.isLeader else {
            let request = Caravan_V1_NodeHeartbeatRequest.with {
                $0.nodeID = nodeID
                $0.secretID = secretID
                $0.status = status
            }
            return try await driver.withLeaderRPCClient { client in
                try await Caravan_V1_Nodes.Client(wrapping: client).heartbeat(request)
            }
        }
        let time = now()
        let (found, _) = try await queries.read(ClusterQueries.local, tables: [.nodes]) { view in
            (view.cluster.nodes[nodeID], NodeEvaluations.forSystemJobs(nodeID: nodeID, in: view, at: time))
        }
        guard let node = found.0 else {
            throw CaravanError.notFound("node \(nodeID) is not registered; register first")
        }
        guard node.secretID == secretID else { throw CaravanError.permissionDenied("wrong secret for node \(nodeID)") }
        let ttl = await duties.heartbeats.heartbeat(from: nodeID)
        if node.status == .down {
            var command = StateCommands.envelope(at: time)
            command.updateNodeStatus = Caravan_V1_UpdateNodeStatusCommand.with {
                $0.nodeID = nodeID
                $0.status = .ready
                $0.description_p = "node heartbeated again"
                $0.evals = found.1
            }
            _ = try await queries.propose(command)
        }
        let servers = await driver.serverRPCAddresses
        var response = Caravan_V1_NodeHeartbeatResponse()
        response.heartbeatTtl = Google_Protobuf_Duration(
            seconds: ttl.components.seconds, nanos: Int32(ttl.components.attoseconds / 1_000_000_000))
        response.servers = servers.all
        response.leader = servers.leader
        return response
    }
}
