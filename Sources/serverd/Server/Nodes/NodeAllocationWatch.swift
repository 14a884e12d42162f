import CaravanProto
import State

/// A node's stream of its allocations: everything first (a snapshot), then each allocation again whenever it
/// changes, pushed as the state applies entries. The client resumes with `min_index` after a reconnect.
struct NodeAllocationWatch: Sendable {
    let queries: ClusterQueries
    let nodeID: String
    let since: UInt64

    func run(send: (Caravan_V1_AllocationUpdates) async throws -> Void) async throws {
        var seen = since
        var first = true
        while !Task.isCancelled {
            var query = Caravan_V1_QueryOptions()
            query.minIndex = first ? 0 : seen
            query.maxWait = .init(seconds: 60)
            let after = seen
            let isFirst = first
            let nodeID = self.nodeID
            let (allocs, meta) = try await queries.read(query, tables: [.allocs]) { view in
                view.cluster.allocations(nodeID: nodeID)
                    .filter { isFirst || $0.modifyIndex > after }
                    .map { view.cluster.allocationWithJob($0) }
            }
            if first || !allocs.isEmpty {
                var update = Caravan_V1_AllocationUpdates()
                update.index = meta.index
                update.snapshot = first
                update.allocations = allocs
                try await send(update)
            }
            seen = max(seen, meta.index)
            first = false
        }
    }
}
