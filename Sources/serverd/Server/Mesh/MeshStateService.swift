import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import State

/// Serves `caravan.v1.MeshState` to meshd: replicated writes of intentions and config entries (meshd validated
/// them), the watch every meshd replica builds its view from, and the Connect CA, whose keys never leave here.
public struct MeshStateService: Caravan_V1_MeshState.ServiceProtocol {
    let queries: ClusterQueries
    let signer: LeafSigning

    public init(
        queries: ClusterQueries, leafTTL: TimeInterval = ConnectCALeafSigner.defaultTTL,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.queries = queries
        self.signer = LeafSigning(queries: queries, leafTTL: leafTTL, now: now)
    }

    public func apply(
        request: ServerRequest<Caravan_V1_ApplyMeshStateRequest>, context: ServerContext
    ) async throws -> ServerResponse<Caravan_V1_ApplyMeshStateResponse> {
        var command = StateCommands.envelope(at: signer.now())
        command.meshApply = request.message
        let applied = try await queries.propose(command)
        return ServerResponse(message: .with { $0.meta = ClusterQueries.writeMeta(applied.index) })
    }

    public func watch(
        request: ServerRequest<Caravan_V1_WatchMeshStateRequest>, context: ServerContext
    ) async throws -> StreamingServerResponse<Caravan_V1_MeshStateEvent> {
        let message = request.message
        let watch = MeshStateWatch(
            queries: queries, families: Set(message.tables.filter { $0 != .unspecified }),
            since: message.query.minIndex)
        return StreamingServerResponse { writer in
            do {
                try await RPCCancellation.bound(to: context) {
                    try await watch.run { try await writer.write($0) }
                }
            } catch is CancellationError {
                // meshd went away or this server is stopping: meshd resumes on any server.
            }
            return [:]
        }
    }

    public func signLeaf(
        request: ServerRequest<Caravan_V1_SignLeafRequest>, context: ServerContext
    ) async throws -> ServerResponse<Caravan_V1_SignLeafResponse> {
        let leaf = try await signer.sign(csrPEM: request.message.csrPem, token: request.message.workloadToken)
        return ServerResponse(message: .with { $0.leaf = leaf })
    }

    public func roots(
        request: ServerRequest<Caravan_V1_ListCARootsRequest>, context: ServerContext
    ) async throws -> ServerResponse<Caravan_V1_ListCARootsResponse> {
        let (set, meta) = try await queries.read(request.message.query, tables: [.connectCA]) { view in
            view.cluster.mesh.rootSet
        }
        return ServerResponse(
            message: .with {
                $0.roots = set.roots
                $0.trustDomain = set.trustDomain
                $0.activeRootID = set.activeRootID
                $0.meta = meta
            })
    }

    public func rotateRoot(
        request: ServerRequest<Caravan_V1_RotateCARequest>, context: ServerContext
    ) async throws -> ServerResponse<Caravan_V1_RotateCAResponse> {
        let (id, index) = try await signer.rotate()
        return ServerResponse(
            message: .with {
                $0.activeRootID = id
                $0.meta = ClusterQueries.writeMeta(index)
            })
    }
}
