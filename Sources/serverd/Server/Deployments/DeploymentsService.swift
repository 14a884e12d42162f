import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import State

/// Serves `caravan.v1.Deployments` (`ctl deployment ...`, `ctl job promote`, and `ctl job run` following a
/// rollout): reads by id or unique prefix, and the operator's promote, fail, pause and resume, each one Raft
/// entry carrying the evaluation that moves the rollout on.
public struct DeploymentsService: Caravan_V1_Deployments.SimpleServiceProtocol {
    let queries: ClusterQueries
    let now: @Sendable () -> Date

    public init(queries: ClusterQueries, now: @escaping @Sendable () -> Date = { Date() }) {
        self.queries = queries
        self.now = now
    }

    public func get(request: Caravan_V1_GetDeploymentRequest, context: ServerContext) async throws
        -> Caravan_V1_GetDeploymentResponse
    {
        let id = request.deploymentID
        let (deployment, meta) = try await queries.read(request.query, tables: [.deployments]) { view in
            try ClusterQueries.resolve(id, in: view.cluster.deployments, kind: "deployment")
        }
        return .with {
            $0.deployment = deployment
            $0.meta = meta
        }
    }

    public func list(request: Caravan_V1_ListDeploymentsRequest, context: ServerContext) async throws
        -> Caravan_V1_ListDeploymentsResponse
    {
        let prefix = request.query.prefix
        let (deployments, meta) = try await queries.read(request.query, tables: [.deployments]) { view in
            view.cluster.allDeployments.filter { $0.id.hasPrefix(prefix) }
        }
        return .with {
            $0.deployments = deployments
            $0.meta = meta
        }
    }

    public func allocations(request: Caravan_V1_ListDeploymentAllocationsRequest, context: ServerContext)
        async throws -> Caravan_V1_ListDeploymentAllocationsResponse
    {
        let id = request.deploymentID
        let (allocs, meta) = try await queries.read(request.query, tables: [.deployments, .allocs]) { view in
            let deployment = try ClusterQueries.resolve(id, in: view.cluster.deployments, kind: "deployment")
            return view.cluster.allocations(namespace: deployment.namespace, jobID: deployment.jobID)
                .filter { $0.deploymentID == deployment.id }
                .sorted { ($0.createIndex, $0.name) > ($1.createIndex, $1.name) }.map(\.listStub)
        }
        return .with {
            $0.allocations = allocs
            $0.meta = meta
        }
    }

    public func promote(request: Caravan_V1_PromoteDeploymentRequest, context: ServerContext) async throws
        -> Caravan_V1_PromoteDeploymentResponse
    {
        let time = now()
        let (all, groups) = (request.all, request.groups)
        let (proposal, applied) = try await propose(request.deploymentID) { deployment, view in
            try DeploymentActions.promote(
                deployment, job: Self.job(of: deployment, in: view), all: all, groups: groups, at: time)
        }
        return .with {
            $0.evalID = proposal.evalID
            $0.deploymentModifyIndex = applied.index
            $0.meta = ClusterQueries.writeMeta(applied.index)
        }
    }

    public func fail(request: Caravan_V1_FailDeploymentRequest, context: ServerContext) async throws
        -> Caravan_V1_FailDeploymentResponse
    {
        let time = now()
        let (proposal, applied) = try await propose(request.deploymentID) { deployment, view in
            try DeploymentActions.fail(
                deployment, job: Self.job(of: deployment, in: view),
                rollback: view.cluster.rollbackTarget(for: deployment), at: time)
        }
        var response = Caravan_V1_FailDeploymentResponse()
        response.evalID = proposal.evalID
        response.deploymentModifyIndex = applied.index
        if let version = proposal.revertedVersion { response.revertedJobVersion = version }
        response.meta = ClusterQueries.writeMeta(applied.index)
        return response
    }

    public func pause(request: Caravan_V1_PauseDeploymentRequest, context: ServerContext) async throws
        -> Caravan_V1_PauseDeploymentResponse
    {
        let time = now()
        let pause = request.pause
        let (proposal, applied) = try await propose(request.deploymentID) { deployment, view in
            try DeploymentActions.pause(deployment, job: Self.job(of: deployment, in: view), pause: pause, at: time)
        }
        return .with {
            $0.evalID = proposal.evalID
            $0.deploymentModifyIndex = applied.index
            $0.meta = ClusterQueries.writeMeta(applied.index)
        }
    }

    /// Resolves the deployment (id or unique prefix), builds the proposal from the same read, and proposes it;
    /// refusals from either step come back as the RPC's error.
    func propose(
        _ id: String,
        _ build: @escaping @Sendable (Caravan_V1_Deployment, StateView) throws -> DeploymentActions.Proposal
    ) async throws -> (DeploymentActions.Proposal, AppliedCommand) {
        let (proposal, _) = try await queries.read(Caravan_V1_QueryOptions(), tables: [.deployments]) { view in
            try build(try ClusterQueries.resolve(id, in: view.cluster.deployments, kind: "deployment"), view)
        }
        return (proposal, try await queries.propose(proposal.command))
    }

    static func job(of deployment: Caravan_V1_Deployment, in view: StateView) -> Caravan_V1_Job? {
        view.cluster.job(namespace: deployment.namespace, id: deployment.jobID)
    }
}
