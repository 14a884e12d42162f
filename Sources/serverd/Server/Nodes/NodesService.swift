import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import Scheduler
import State
import SwiftProtobuf

/// Serves `caravan.v1.Nodes`: clients register, heartbeat, watch their allocations and report on them;
/// operators list nodes, change their eligibility and drain them.
///
/// Heartbeats reset timers that live on the leader, so a follower forwards them there. A node proves itself
/// with the secret it registered with; a wrong secret is refused and changes nothing.
public struct NodesService: Caravan_V1_Nodes.ServiceProtocol {
    let queries: ClusterQueries
    let heartbeats: NodeHeartbeats
    let now: @Sendable () -> Date

    public init(queries: ClusterQueries, heartbeats: NodeHeartbeats, now: @escaping @Sendable () -> Date = { Date() }) {
        self.queries = queries
        self.heartbeats = heartbeats
        self.now = now
    }

    public func register(
        request: ServerRequest<Caravan_V1_RegisterNodeRequest>, context: ServerContext
    ) async throws -> ServerResponse<Caravan_V1_RegisterNodeResponse> {
        let node = request.message.node
        try NodeValidation.validate(node)
        let time = now()
        let (existing, _) = try await queries.read(ClusterQueries.local, tables: [.nodes]) { view in
            (view.cluster.nodes[node.id], NodeEvaluations.forSystemJobs(nodeID: node.id, in: view, at: time))
        }
        if let stored = existing.0, stored.secretID != node.secretID {
            throw CaravanError.permissionDenied("node \(node.id) is registered with another secret")
        }
        var command = StateCommands.envelope(at: time)
        command.registerNode = Caravan_V1_RegisterNodeCommand.with {
            $0.node = node
            $0.evals = existing.1
        }
        let applied = try await queries.propose(command)
        var response = Caravan_V1_RegisterNodeResponse()
        let beat = try await heartbeats.heartbeat(nodeID: node.id, secretID: node.secretID, status: .ready)
        response.heartbeatTtl = beat.heartbeatTtl
        response.servers = beat.servers
        response.leader = beat.leader
        response.meta = ClusterQueries.writeMeta(applied.index)
        return ServerResponse(message: response)
    }

    public func heartbeat(
        request: ServerRequest<Caravan_V1_NodeHeartbeatRequest>, context: ServerContext
    ) async throws -> ServerResponse<Caravan_V1_NodeHeartbeatResponse> {
        let message = request.message
        return ServerResponse(
            message: try await heartbeats.heartbeat(
                nodeID: message.nodeID, secretID: message.secretID, status: message.status))
    }

    public func watchAllocations(
        request: ServerRequest<Caravan_V1_WatchNodeAllocationsRequest>, context: ServerContext
    ) async throws -> StreamingServerResponse<Caravan_V1_AllocationUpdates> {
        let message = request.message
        try await authenticate(nodeID: message.nodeID, secretID: message.secretID)
        let queries = self.queries
        return StreamingServerResponse { writer in
            do {
                try await RPCCancellation.bound(to: context) {
                    try await NodeAllocationWatch(queries: queries, nodeID: message.nodeID, since: message.minIndex)
                        .run { try await writer.write($0) }
                }
            } catch is CancellationError {
                // The node went away or this server is stopping: the node resumes on any server.
            }
            return [:]
        }
    }

    public func updateAllocations(
        request: ServerRequest<Caravan_V1_UpdateAllocationsRequest>, context: ServerContext
    ) async throws -> ServerResponse<Caravan_V1_UpdateAllocationsResponse> {
        let message = request.message
        try await authenticate(nodeID: message.nodeID, secretID: message.secretID)
        let time = now()
        let updates = message.updates
        let (evals, _) = try await queries.read(Caravan_V1_QueryOptions(), tables: [.allocs]) { view in
            Self.rescheduleEvals(for: updates, nodeID: message.nodeID, in: view, at: time)
        }
        var command = StateCommands.envelope(at: time)
        command.clientAllocUpdates = Caravan_V1_ClientAllocUpdatesCommand.with {
            $0.nodeID = message.nodeID
            $0.updates = updates
            $0.evals = evals
        }
        let applied = try await queries.propose(command)
        return ServerResponse(
            message: Caravan_V1_UpdateAllocationsResponse.with { $0.meta = ClusterQueries.writeMeta(applied.index) })
    }

    /// One evaluation per job with an allocation that just failed: the scheduler applies its reschedule policy.
    static func rescheduleEvals(
        for updates: [Caravan_V1_AllocClientUpdate], nodeID: String, in view: StateView, at time: Date
    ) -> [Caravan_V1_Evaluation] {
        let newlyFailed = updates.filter { $0.clientStatus == .failed }.compactMap { update in
            view.cluster.allocs[update.allocID].flatMap { $0.nodeID == nodeID && $0.clientStatus != .failed ? $0 : nil }
        }
        return NodeEvaluations.onePerJob(of: newlyFailed, trigger: .allocFailure, in: view, at: time)
    }

    public func issueWorkloadToken(
        request: ServerRequest<Caravan_V1_IssueWorkloadTokenRequest>, context: ServerContext
    ) async throws -> ServerResponse<Caravan_V1_IssueWorkloadTokenResponse> {
        let message = request.message
        try await authenticate(nodeID: message.nodeID, secretID: message.secretID)
        let time = now()
        let (token, _) = try await queries.read(Caravan_V1_QueryOptions(), tables: [.allocs, .connectCA]) { view in
            try WorkloadTokenIssuer.issue(for: message, in: view.cluster, at: time)
        }
        return ServerResponse(
            message: .with {
                $0.token = token.token
                $0.expiresAt = .init(date: token.expiresAt)
            })
    }

    public func list(
        request: ServerRequest<Caravan_V1_ListNodesRequest>, context: ServerContext
    ) async throws -> ServerResponse<Caravan_V1_ListNodesResponse> {
        let query = request.message.query
        let (nodes, meta) = try await queries.read(query, tables: [.nodes]) { view in
            view.cluster.nodes.values.filter { $0.id.hasPrefix(query.prefix) }.sorted { $0.name < $1.name }
                .map(NodeValidation.stub)
        }
        return ServerResponse(
            message: Caravan_V1_ListNodesResponse.with {
                $0.nodes = nodes
                $0.meta = meta
            })
    }

    public func get(
        request: ServerRequest<Caravan_V1_GetNodeRequest>, context: ServerContext
    ) async throws -> ServerResponse<Caravan_V1_GetNodeResponse> {
        let message = request.message
        let (node, meta) = try await queries.read(message.query, tables: [.nodes]) { view in
            var node = try ClusterQueries.resolve(message.nodeID, in: view.cluster.nodes, kind: "node")
            node.secretID = ""
            return node
        }
        return ServerResponse(
            message: Caravan_V1_GetNodeResponse.with {
                $0.node = node
                $0.meta = meta
            })
    }

    public func allocations(
        request: ServerRequest<Caravan_V1_ListNodeAllocationsRequest>, context: ServerContext
    ) async throws -> ServerResponse<Caravan_V1_ListNodeAllocationsResponse> {
        let message = request.message
        let (allocs, meta) = try await queries.read(message.query, tables: [.allocs, .nodes]) { view in
            let node = try ClusterQueries.resolve(message.nodeID, in: view.cluster.nodes, kind: "node")
            return view.cluster.allocations(nodeID: node.id).sorted { $0.createIndex > $1.createIndex }.map(\.listStub)
        }
        return ServerResponse(
            message: Caravan_V1_ListNodeAllocationsResponse.with {
                $0.allocations = allocs
                $0.meta = meta
            })
    }

    public func setEligibility(
        request: ServerRequest<Caravan_V1_SetNodeEligibilityRequest>, context: ServerContext
    ) async throws -> ServerResponse<Caravan_V1_SetNodeEligibilityResponse> {
        let message = request.message
        let time = now()
        let (found, _) = try await queries.read(Caravan_V1_QueryOptions(), tables: [.nodes]) { view in
            let node = try ClusterQueries.resolve(message.nodeID, in: view.cluster.nodes, kind: "node")
            return (node.id, message.eligible ? NodeEvaluations.forSystemJobs(nodeID: node.id, in: view, at: time) : [])
        }
        var command = StateCommands.envelope(at: time)
        command.updateNodeEligibility = Caravan_V1_UpdateNodeEligibilityCommand.with {
            $0.nodeID = found.0
            $0.eligibility = message.eligible ? .eligible : .ineligible
            $0.evals = found.1
        }
        let applied = try await queries.propose(command)
        return ServerResponse(
            message: Caravan_V1_SetNodeEligibilityResponse.with {
                $0.evalIds = found.1.map(\.id)
                $0.meta = ClusterQueries.writeMeta(applied.index)
            })
    }

    public func drain(
        request: ServerRequest<Caravan_V1_DrainNodeRequest>, context: ServerContext
    ) async throws -> ServerResponse<Caravan_V1_DrainNodeResponse> {
        let message = request.message
        try NodeDrainRequest.validate(message)
        let time = now()
        // A cancelled drain that makes the node eligible again gets it its system jobs, as eligibility does.
        let eligibleAgain = !message.hasDrainSpec && message.markEligible
        let (found, _) = try await queries.read(Caravan_V1_QueryOptions(), tables: [.nodes]) { view in
            let node = try ClusterQueries.resolve(message.nodeID, in: view.cluster.nodes, kind: "node")
            return (node.id, eligibleAgain ? NodeEvaluations.forSystemJobs(nodeID: node.id, in: view, at: time) : [])
        }
        var command = StateCommands.envelope(at: time)
        command.updateNodeDrain = NodeDrainRequest.command(for: message, nodeID: found.0, evals: found.1, at: time)
        let applied = try await queries.propose(command)
        return ServerResponse(
            message: Caravan_V1_DrainNodeResponse.with {
                $0.evalIds = found.1.map(\.id)
                $0.meta = ClusterQueries.writeMeta(applied.index)
            })
    }

    public func purge(
        request: ServerRequest<Caravan_V1_PurgeNodeRequest>, context: ServerContext
    ) async throws -> ServerResponse<Caravan_V1_PurgeNodeResponse> {
        throw CaravanError(.unimplemented, "node purge is not served yet by this server version")
    }

    public func evaluate(
        request: ServerRequest<Caravan_V1_EvaluateNodeRequest>, context: ServerContext
    ) async throws -> ServerResponse<Caravan_V1_EvaluateNodeResponse> {
        throw CaravanError(.unimplemented, "node evaluate is not served yet by this server version")
    }

    /// Refuses calls for an unknown node or with the wrong secret.
    func authenticate(nodeID: String, secretID: String) async throws {
        let (secret, _) = try await queries.read(Caravan_V1_QueryOptions(), tables: [.nodes]) { view in
            view.cluster.nodes[nodeID]?.secretID
        }
        guard let secret else { throw CaravanError.notFound("node \(nodeID) is not registered; register first") }
        guard secret == secretID else { throw CaravanError.permissionDenied("wrong secret for node \(nodeID)") }
    }
}
