import CaravanProto
import State

/// One watcher of the mesh tables (a meshd replica, or a `Catalog.Watch` caller): a snapshot first unless it
/// resumes, then a frame whenever a watched key changes, pushed as the state applies entries.
struct MeshStateWatch: Sendable {
    let queries: ClusterQueries
    let families: Set<Caravan_V1_MeshTable>
    let since: UInt64

    func run(send: (Caravan_V1_MeshStateEvent) async throws -> Void) async throws {
        var seen = since
        var first = true
        let families = self.families
        let tables = MeshStateFrames.tables(for: families)
        while !Task.isCancelled {
            var query = Caravan_V1_QueryOptions()
            query.minIndex = seen
            query.maxWait = .init(seconds: 60)
            let after: UInt64? = first && since == 0 ? nil : seen
            let (frame, meta) = try await queries.read(query, tables: tables) { view in
                MeshStateFrames.frame(
                    view.cluster.mesh, after: after, families: families, index: view.cluster.index(of: Array(tables)))
            }
            if frame.snapshot || !frame.keyIndexes.isEmpty {
                var sent = frame
                sent.index = max(frame.index, meta.index)
                try await send(sent)
            }
            seen = max(seen, meta.index)
            first = false
        }
    }
}
