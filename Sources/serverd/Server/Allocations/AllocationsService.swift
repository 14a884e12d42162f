import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import State

/// Serves `caravan.v1.Allocations` (`ctl alloc status|stop|fs|logs`). File and log calls are forwarded to the
/// ClientFS service of the allocation's node (`files`; without it they are UNIMPLEMENTED).
public struct AllocationsService: Caravan_V1_Allocations.ServiceProtocol {
    let queries: ClusterQueries
    let files: NodeFileAccess?
    let now: @Sendable () -> Date

    public init(
        queries: ClusterQueries, files: NodeFileAccess? = nil, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.queries = queries
        self.files = files
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

    func nodeFiles() throws -> NodeFileAccess {
        guard let files else { throw Self.notYet("fs") }
        return files
    }

    /// The node holding the allocation a file call names, and the call with the allocation's full ID (callers
    /// may give a prefix; the node only knows full IDs).
    func addressed<Message: AllocationAddressed>(_ message: Message) async throws
        -> (NodeFileAccess, NodeFileAccess.Target, Message)
    {
        let files = try nodeFiles()
        var forwarded = message
        let target = try await files.target(message.allocID)
        forwarded.allocID = target.allocID
        return (files, target, forwarded)
    }

    public func listFiles(request: ServerRequest<Caravan_V1_ListFilesRequest>, context: ServerContext)
        async throws -> ServerResponse<Caravan_V1_ListFilesResponse>
    {
        let (files, target, forwarded) = try await addressed(request.message)
        return ServerResponse(message: try await files.withClientFS(target) { try await $0.list(forwarded) })
    }

    public func statFile(request: ServerRequest<Caravan_V1_StatFileRequest>, context: ServerContext)
        async throws -> ServerResponse<Caravan_V1_StatFileResponse>
    {
        let (files, target, forwarded) = try await addressed(request.message)
        return ServerResponse(message: try await files.withClientFS(target) { try await $0.stat(forwarded) })
    }

    public func catFile(request: ServerRequest<Caravan_V1_CatFileRequest>, context: ServerContext)
        async throws -> StreamingServerResponse<Caravan_V1_FileChunk>
    {
        let (files, target, forwarded) = try await addressed(request.message)
        return FileChunkRelay.response(context, files, target) { fs, relay in
            try await fs.cat(forwarded, options: NodeFileAccess.streamOptions(follow: false), onResponse: relay)
        }
    }

    public func readFileAt(request: ServerRequest<Caravan_V1_ReadFileAtRequest>, context: ServerContext)
        async throws -> StreamingServerResponse<Caravan_V1_FileChunk>
    {
        let (files, target, forwarded) = try await addressed(request.message)
        return FileChunkRelay.response(context, files, target) { fs, relay in
            try await fs.readAt(forwarded, options: NodeFileAccess.streamOptions(follow: false), onResponse: relay)
        }
    }

    public func streamFile(request: ServerRequest<Caravan_V1_StreamFileRequest>, context: ServerContext)
        async throws -> StreamingServerResponse<Caravan_V1_FileChunk>
    {
        let (files, target, forwarded) = try await addressed(request.message)
        return FileChunkRelay.response(context, files, target) { fs, relay in
            try await fs.stream(
                forwarded, options: NodeFileAccess.streamOptions(follow: forwarded.follow), onResponse: relay)
        }
    }

    public func logs(request: ServerRequest<Caravan_V1_StreamLogsRequest>, context: ServerContext)
        async throws -> StreamingServerResponse<Caravan_V1_FileChunk>
    {
        let (files, target, forwarded) = try await addressed(request.message)
        return FileChunkRelay.response(context, files, target) { fs, relay in
            try await fs.logs(
                forwarded, options: NodeFileAccess.streamOptions(follow: forwarded.follow), onResponse: relay)
        }
    }
}

/// The ClientFS requests, which all name their allocation the same way.
protocol AllocationAddressed: Sendable {
    var allocID: String { get set }
}

extension Caravan_V1_ListFilesRequest: AllocationAddressed {}
extension Caravan_V1_StatFileRequest: AllocationAddressed {}
extension Caravan_V1_CatFileRequest: AllocationAddressed {}
extension Caravan_V1_ReadFileAtRequest: AllocationAddressed {}
extension Caravan_V1_StreamFileRequest: AllocationAddressed {}
extension Caravan_V1_StreamLogsRequest: AllocationAddressed {}
