import CaravanDaemon
import CaravanProto
import CaravanRPC
import Logging
import ServiceLifecycle

/// The node agent as a lifecycle service: restores the allocations of the previous run, registers the node,
/// heartbeats, follows its allocations and reports on them. On SIGTERM it stops talking to the servers but leaves
/// the tasks running, as Nomad does: a restarted clientd re-attaches to them.
struct ClientAgentService: Service {
    let node: Caravan_V1_Node
    let advertise: String
    let status: AgentStatusService
    let pool: ServerPool
    let store: ClientStateStore
    let factory: AllocRunnerFactory
    let gcMaxAllocs: Int
    let logger: Logger

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await runAgent()
            }
        } catch is CancellationError {
            // A graceful shutdown cancels the agent's loops; that is a clean stop.
        }
        await pool.shutdown()
    }

    private func runAgent() async throws {
        let bound = await status.listeningAddress()
        var advertised = self.node
        advertised.rpcAddr = HostPort(host: advertise, port: bound.port).description
        let node = advertised
        let pool = self.pool
        let logger = self.logger
        let reporter = AllocUpdateReporter(pool: pool, nodeID: node.id, secretID: node.secretID, logger: logger)
        let factory = self.factory
        let manager = AllocManager(
            store: store, allocRoot: factory.allocRoot, gcMaxAllocs: gcMaxAllocs, network: factory.network,
            logger: logger,
            reporter: { await reporter.report($0) },
            makeRunner: { allocation, manager in factory.makeRunner(allocation, manager: manager) })
        try await manager.restore()
        let registration = NodeRegistration(pool: pool, node: node, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await reporter.run() }
            group.addTask {
                let ttl = try await registration.register()
                try await withThrowingTaskGroup(of: Void.self) { inner in
                    inner.addTask { try await registration.keepAlive(ttl: ttl) }
                    inner.addTask {
                        try await AllocationWatcher(
                            pool: pool, nodeID: node.id, secretID: node.secretID, logger: logger,
                            deliver: { await manager.apply($0) }
                        ).run()
                    }
                    try await inner.next()
                    inner.cancelAll()
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }
}
