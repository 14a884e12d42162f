import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import State

/// Serves `caravan.v1.Allocations` (`ctl alloc status|stop`). File and log access goes to the node's
/// ClientFS and arrives with the client issue.
public struct AllocationsService: Caravan_V1_Allocations.ServiceProtocol {
    let queries: ClusterQueries
    let now: @Sendable () -> Date

    public init(queries: ClusterQueries, now: @escaping @Sendable () -> Date = { Date() }) {
        self.queries = queries
        self.now = now
    }

    public func get(request: ServerRequest<Caravan_V1_GetAllocationRequest>, context: ServerContext) async throws
        -> ServerResponse<Caravan_V1_GetAllocationResponse>
    {
        let message = request.message
        let (alloc, meta) = try await queries.read(message.query, tables: [.allocs]) { view in
            view.cluster.allocationWithJob(
                try ClusterQueries.resolve(message.allocID, in: view.cluster.allocs, kind: "allocation"))
        }
        return ServerResponse(
            message: Caravan_V1_GetAllocationResponse.with {
                $0.allocation = alloc
                $0.meta = meta
            })
    }

    public func list(request: ServerRequest<Caravan_V1_ListAllocationsRequest>, context: ServerContext) async throws
        -> ServerResponse<Caravan_V1_ListAllocationsResponse>
    {
        let query = request.message.query
        let (allocs, meta) = try await queries.read(query, tables: [.allocs]) { view in
            view.cluster.allocs.values.filter { $0.id.hasPrefix(query.prefix) }
                .sorted { $0.createIndex > $1.createIndex }.map(\.listStub)
        }
        return ServerResponse(
            message: Caravan_V1_ListAllocationsResponse.with {
                $0.allocations = allocs
                $0.meta = meta
            })
    }

    public func stop(request: ServerRequest<Caravan_V1_StopAllocationRequest>, context: ServerContext) async throws
        -> ServerResponse<Caravan_V1_StopAllocationResponse>
    {
        let message = request.message
        let time = now()
        let (found, _) = try await queries.read(Caravan_V1_QueryOptions(), tables: [.allocs]) { view in
            let alloc = try ClusterQueries.resolve(message.allocID, in: view.cluster.allocs, kind: "allocation")
            return (alloc, view.cluster.job(namespace: alloc.namespace, id: alloc.jobID))
        }
        guard let job = found.1 else {
            throw CaravanError.failedPrecondition("allocation \(found.0.id) belongs to a purged job")
        }
        let eval = EvalFactory.evaluation(for: job, trigger: .allocStop, at: time)
        var command = StateCommands.envelope(at: time)
        command.stopAlloc = Caravan_V1_StopAllocCommand.with {
            $0.allocID = found.0.id
            $0.eval = eval
        }
        let applied = try await queries.propose(command)
        return ServerResponse(
            message: Caravan_V1_StopAllocationResponse.with {
                $0.evalID = eval.id
                $0.meta = ClusterQueries.writeMeta(applied.index)
            })
    }

    static func notYet(_ verb: String) -> CaravanError {
        CaravanError(.unimplemented, "alloc \(verb) goes through the node's ClientFS, which arrives with clientd")
    }

    public func restart(request: ServerRequest<Caravan_V1_RestartAllocationRequest>, context: ServerContext)
        async throws -> ServerResponse<Caravan_V1_RestartAllocationResponse>
    { throw Self.notYet("restart") }

    public func signal(request: ServerRequest<Caravan_V1_SignalAllocationRequest>, context: ServerContext)
        async throws -> ServerResponse<Caravan_V1_SignalAllocationResponse>
    { throw Self.notYet("signal") }

    public func listFiles(request: ServerRequest<Caravan_V1_ListFilesRequest>, context: ServerContext)
        async throws -> ServerResponse<Caravan_V1_ListFilesResponse>
    { throw Self.notYet("fs") }

    public func statFile(request: ServerRequest<Caravan_V1_StatFileRequest>, context: ServerContext)
        async throws -> ServerResponse<Caravan_V1_StatFileResponse>
    { throw Self.notYet("fs") }

    public func catFile(request: ServerRequest<Caravan_V1_CatFileRequest>, context: ServerContext)
        async throws -> StreamingServerResponse<Caravan_V1_FileChunk>
    { throw Self.notYet("fs") }

    public func readFileAt(request: ServerRequest<Caravan_V1_ReadFileAtRequest>, context: ServerContext)
        async throws -> StreamingServerResponse<Caravan_V1_FileChunk>
    { throw Self.notYet("fs") }

    public func streamFile(request: ServerRequest<Caravan_V1_StreamFileRequest>, context: ServerContext)
        async throws -> StreamingServerResponse<Caravan_V1_FileChunk>
    { throw Self.notYet("fs") }

    public func logs(request: ServerRequest<Caravan_V1_StreamLogsRequest>, context: ServerContext)
        async throws -> StreamingServerResponse<Caravan_V1_FileChunk>
    { throw Self.notYet("logs") }
}
