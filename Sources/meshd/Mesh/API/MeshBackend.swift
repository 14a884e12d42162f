import CaravanProto
import CaravanRPC
import GRPCCore

/// Reads of meshd's view for its APIs: blocking queries by index (`min_index`), and the writes' path to the servers
/// followed by a wait until this replica's view shows the write, so a caller reads what it just wrote.
struct MeshBackend: Sendable {
    let store: MeshViewStore
    let servers: ServerFailoverPool
    let settings: MeshSettings

    /// The view, once it is past `query.min_index` (or `max_wait`, default 5 minutes, passed).
    func read(_ query: Caravan_V1_QueryOptions) async throws -> (MeshView, Caravan_V1_QueryMeta) {
        var view = store.view
        if query.minIndex > 0, view.index <= query.minIndex {
            let wait = query.hasMaxWait ? min(max(query.maxWait.timeInterval, 0), 600) : 300
            await store.waitUntil(query.minIndex + 1, timeout: .milliseconds(Int64(wait * 1000)))
            view = store.view
        }
        guard view.isReady else {
            throw CaravanError.unavailable("meshd has not received the mesh state from the servers yet; retry shortly")
        }
        var meta = Caravan_V1_QueryMeta()
        meta.index = view.index
        meta.knownLeader = true
        return (view, meta)
    }

    /// Sends a validated write to the servers and waits (briefly) until this replica's view includes it.
    func write(_ request: Caravan_V1_ApplyMeshStateRequest) async throws -> Caravan_V1_WriteMeta {
        let response = try await servers.withServer { client in
            try await Caravan_V1_MeshState.Client(wrapping: client).apply(request)
        }
        await store.waitUntil(response.meta.index)
        return response.meta
    }

    /// The current view for a write's validation; refuses while the view is empty.
    func currentView() throws -> MeshView {
        let view = store.view
        guard view.isReady else {
            throw CaravanError.unavailable("meshd has not received the mesh state from the servers yet; retry shortly")
        }
        return view
    }
}
