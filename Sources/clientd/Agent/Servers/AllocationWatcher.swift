import CaravanProto
import CaravanRPC
import Logging

/// Follows the servers' stream of this node's allocations and hands every frame to the allocation manager.
/// A broken stream is reopened (on any server); each new stream starts with a complete snapshot.
struct AllocationWatcher: Sendable {
    let pool: ServerPool
    let nodeID: String
    let secretID: String
    let logger: Logger
    let deliver: @Sendable (Caravan_V1_AllocationUpdates) async -> Void

    func run() async throws {
        var delay = Duration.milliseconds(200)
        while true {
            try Task.checkCancellation()
            do {
                let request = Caravan_V1_WatchNodeAllocationsRequest.with {
                    $0.nodeID = nodeID
                    $0.secretID = secretID
                }
                let deliver = self.deliver
                try await pool.nodes(streaming: true) { client in
                    try await client.watchAllocations(request) { response in
                        for try await frame in response.messages { await deliver(frame) }
                    }
                }
                delay = .milliseconds(200)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                if Task.isCancelled { throw CancellationError() }
                if RPCErrorText.code(of: error) != .deadlineExceeded {
                    logger.warning("allocation watch broke", metadata: ["error": "\(RPCErrorText.describe(error))"])
                    delay = min(delay * 2, .seconds(5))
                }
            }
            try await Task.sleep(for: delay)
        }
    }
}
