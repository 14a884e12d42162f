import CaravanProto
import ClientFS
import ClientNetwork
import Foundation
import Logging

/// Keeps the allocations running on this node in line with what the servers want: starts a runner for each new
/// allocation, stops the ones the servers stop or forget, restores runners after a clientd restart, and removes
/// the directories of finished allocations beyond the newest `gcMaxAllocs`.
actor AllocManager {
    private var runners: [String: AllocRunner] = [:]
    private var destroying: [String: Task<Void, Never>] = [:]
    private let makeRunner: @Sendable (Caravan_V1_Allocation, AllocManager) -> AllocRunner
    private let store: ClientStateStore
    private let allocRoot: String
    private let gcMaxAllocs: Int
    private let network: NetworkManager?
    private let reporter: @Sendable (Caravan_V1_AllocClientUpdate) async -> Void
    private let logger: Logger

    init(
        store: ClientStateStore, allocRoot: String, gcMaxAllocs: Int, network: NetworkManager? = nil,
        logger: Logger,
        reporter: @escaping @Sendable (Caravan_V1_AllocClientUpdate) async -> Void,
        makeRunner: @escaping @Sendable (Caravan_V1_Allocation, AllocManager) -> AllocRunner
    ) {
        self.store = store
        self.allocRoot = allocRoot
        self.gcMaxAllocs = gcMaxAllocs
        self.network = network
        self.logger = logger
        self.reporter = reporter
        self.makeRunner = makeRunner
    }

    /// Brings back the allocations of the previous clientd (re-attaching to running tasks) and removes alloc
    /// directories nothing knows about (left by a crash between creating and recording them), and the networks
    /// (namespaces, veths, DNAT rules) of allocations that no longer exist.
    func restore() async throws {
        let allocations = try store.allocations()
        for allocation in allocations {
            let runner = makeRunner(allocation, self)
            runners[allocation.id] = runner
            let tasks = try store.tasks(allocID: allocation.id)
            await runner.start(restored: tasks)
        }
        do {
            let removed = try AllocDirJanitor.removeAllocDirs(root: allocRoot, keeping: Set(allocations.map(\.id)))
            for id in removed {
                logger.info("removed leftover allocation directory", metadata: ["alloc_id": "\(id)"])
            }
        } catch {
            logger.error("cannot remove leftover allocation directories", metadata: ["error": "\(error)"])
        }
        if let network {
            for id in await network.removeLeftovers(keeping: Set(allocations.map(\.id))) {
                logger.info("removed a leftover network", metadata: ["alloc_id": "\(id)"])
            }
        }
    }

    /// Applies one frame of the servers' allocation stream.
    func apply(_ frame: Caravan_V1_AllocationUpdates) async {
        for allocation in frame.allocations {
            if let runner = runners[allocation.id] {
                persist(allocation)
                Task { await runner.update(allocation) }
            } else if allocation.desiredStatus == .run && !Self.isTerminal(allocation.clientStatus) {
                persist(allocation)
                let runner = makeRunner(allocation, self)
                runners[allocation.id] = runner
                Task { await runner.start() }
            }
        }
        if frame.snapshot {
            let wanted = Set(frame.allocations.map(\.id))
            for id in runners.keys where !wanted.contains(id) { await destroy(id) }
        }
        for id in frame.removed { await destroy(id) }
    }

    /// A runner reports a change; finished allocations may push older ones out.
    func reported(_ update: Caravan_V1_AllocClientUpdate) async {
        await reporter(update)
        // Not awaited: the runner reporting may be the one being torn down, which waits for its own report.
        if Self.isTerminal(update.clientStatus) { Task { await self.collectGarbage() } }
    }

    /// Stops an allocation (if it still runs), removes its directory and forgets it. Concurrent calls for one
    /// allocation (a snapshot and garbage collection, say) share one teardown and all return after it.
    func destroy(_ id: String) async {
        if let inFlight = destroying[id] {
            await inFlight.value
            return
        }
        guard let runner = runners[id] else { return }
        let store = self.store
        let logger = self.logger
        let teardown = Task {
            await runner.stop()
            do {
                try await runner.destroyDirectory()
                try store.deleteAllocation(id)
            } catch {
                logger.error("cannot remove allocation", metadata: ["alloc_id": "\(id)", "error": "\(error)"])
            }
            // Part of the teardown, so whoever awaits it sees the allocation gone.
            self.forget(id)
        }
        destroying[id] = teardown
        await teardown.value
    }

    private func forget(_ id: String) {
        destroying[id] = nil
        runners[id] = nil
    }

    /// Removes the oldest finished allocations beyond `gcMaxAllocs`.
    func collectGarbage() async {
        var finished: [(id: String, at: Date)] = []
        for (id, runner) in runners {
            if await runner.isDone, let at = await runner.finishedAt { finished.append((id, at)) }
        }
        guard finished.count > gcMaxAllocs else { return }
        for entry in finished.sorted(by: { $0.at < $1.at }).prefix(finished.count - gcMaxAllocs) {
            logger.info("garbage-collecting allocation", metadata: ["alloc_id": "\(entry.id)"])
            await destroy(entry.id)
        }
    }

    func runner(_ id: String) -> AllocRunner? { runners[id] }

    var allocationIDs: [String] { Array(runners.keys) }

    private func persist(_ allocation: Caravan_V1_Allocation) {
        do {
            try store.saveAllocation(allocation)
        } catch {
            logger.error("cannot persist allocation", metadata: ["alloc_id": "\(allocation.id)", "error": "\(error)"])
        }
    }

    static func isTerminal(_ status: Caravan_V1_AllocClientStatus) -> Bool {
        status == .complete || status == .failed || status == .lost
    }
}
