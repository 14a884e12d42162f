import CaravanProto
import CaravanRPC
import Logging

/// Sends the servers what happened to this node's allocations. Updates are coalesced per allocation (the newest
/// report replaces an unsent older one) and sent in batches; a failed send keeps them for the next attempt, so a
/// server outage delays reports but loses none.
actor AllocUpdateReporter {
    private let pool: ServerPool
    private let nodeID: String
    private let secretID: String
    private let logger: Logger
    private var pending: [String: Caravan_V1_AllocClientUpdate] = [:]
    private var order: [String] = []
    private var wakeUp: CheckedContinuation<Void, Never>?

    init(pool: ServerPool, nodeID: String, secretID: String, logger: Logger) {
        self.pool = pool
        self.nodeID = nodeID
        self.secretID = secretID
        self.logger = logger
    }

    func report(_ update: Caravan_V1_AllocClientUpdate) {
        if pending.updateValue(update, forKey: update.allocID) == nil { order.append(update.allocID) }
        wakeUp?.resume()
        wakeUp = nil
    }

    /// Sends batches until cancelled.
    func run() async throws {
        while true {
            try Task.checkCancellation()
            if pending.isEmpty {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        if Task.isCancelled { continuation.resume() } else { self.wakeUp = continuation }
                    }
                } onCancel: {
                    Task { await self.cancelWait() }
                }
                continue
            }
            // Let a burst of task events settle into one batch.
            try await Task.sleep(for: .milliseconds(50))
            let batch = order.compactMap { pending[$0] }
            let sent = batch
            pending = [:]
            order = []
            do {
                let request = Caravan_V1_UpdateAllocationsRequest.with {
                    $0.nodeID = nodeID
                    $0.secretID = secretID
                    $0.updates = sent
                }
                _ = try await pool.nodes { try await $0.updateAllocations(request) }
            } catch {
                logger.warning(
                    "cannot report allocation updates", metadata: ["error": "\(RPCErrorText.describe(error))"])
                for update in sent where pending[update.allocID] == nil {
                    pending[update.allocID] = update
                    order.append(update.allocID)
                }
                try await Task.sleep(for: .seconds(1))
            }
        }
    }

    private func cancelWait() {
        wakeUp?.resume()
        wakeUp = nil
    }
}
