import CaravanProto
import CaravanRPC
import GRPCCore
import State

/// Serves `caravan.v1.Evaluations` (`ctl eval status`, and `ctl job run` watching its evaluation).
public struct EvaluationsService: Caravan_V1_Evaluations.SimpleServiceProtocol {
    let queries: ClusterQueries

    public init(queries: ClusterQueries) {
        self.queries = queries
    }

    public func get(request: Caravan_V1_GetEvaluationRequest, context: ServerContext) async throws
        -> Caravan_V1_GetEvaluationResponse
    {
        let id = request.evalID
        let (eval, meta) = try await queries.read(request.query, tables: [.evals]) { view in
            try ClusterQueries.resolve(id, in: view.cluster.evals, kind: "evaluation")
        }
        return Caravan_V1_GetEvaluationResponse.with {
            $0.evaluation = eval
            $0.meta = meta
        }
    }

    public func list(request: Caravan_V1_ListEvaluationsRequest, context: ServerContext) async throws
        -> Caravan_V1_ListEvaluationsResponse
    {
        let (jobID, status, prefix) = (request.jobID, request.status, request.query.prefix)
        let (evals, meta) = try await queries.read(request.query, tables: [.evals]) { view in
            view.cluster.evals.values
                .filter { (jobID.isEmpty || $0.jobID == jobID) && (status == .unspecified || $0.status == status) }
                .filter { $0.id.hasPrefix(prefix) }
                .sorted { $0.createIndex > $1.createIndex }
        }
        return Caravan_V1_ListEvaluationsResponse.with {
            $0.evaluations = evals
            $0.meta = meta
        }
    }

    public func allocations(request: Caravan_V1_ListEvaluationAllocationsRequest, context: ServerContext)
        async throws -> Caravan_V1_ListEvaluationAllocationsResponse
    {
        let id = request.evalID
        let (allocs, meta) = try await queries.read(request.query, tables: [.allocs, .evals]) { view in
            let eval = try ClusterQueries.resolve(id, in: view.cluster.evals, kind: "evaluation")
            return view.cluster.allocations(namespace: eval.namespace, jobID: eval.jobID)
                .filter { $0.evalID == eval.id }.sorted { $0.name < $1.name }.map(\.listStub)
        }
        return Caravan_V1_ListEvaluationAllocationsResponse.with {
            $0.allocations = allocs
            $0.meta = meta
        }
    }
}
