import CaravanProto
import CaravanRPC
import GRPCCore

/// Serves `caravan.v1.ConnectCA` (`ctl mesh ca ...`): the roots from this replica's view; rotation is done by the
/// servers, which hold the keys.
public struct ConnectCAService: Caravan_V1_ConnectCA.SimpleServiceProtocol {
    let backend: MeshBackend

    init(backend: MeshBackend) {
        self.backend = backend
    }

    public func roots(request: Caravan_V1_ListCARootsRequest, context: ServerContext) async throws
        -> Caravan_V1_ListCARootsResponse
    {
        let (view, meta) = try await backend.read(request.query)
        return .with {
            $0.roots = view.roots.roots
            $0.trustDomain = view.roots.trustDomain
            $0.activeRootID = view.roots.activeRootID
            $0.meta = meta
        }
    }

    public func rotate(request: Caravan_V1_RotateCARequest, context: ServerContext) async throws
        -> Caravan_V1_RotateCAResponse
    {
        let response = try await backend.servers.withServer { client in
            try await Caravan_V1_MeshState.Client(wrapping: client).rotateRoot(request)
        }
        await backend.store.waitUntil(response.meta.index)
        return response
    }
}
