import CaravanProto
import CaravanRPC
import Foundation
import Logging
import ServiceLifecycle
import State

/// What only the leader does, started when this server wins an election and stopped when it loses: the eval
/// broker, the scheduler workers, the plan applier, the heartbeat timers, the periodic launcher, the deployment
/// watcher, the node drainer and the Connect CA's creation.
///
/// Before starting, a new leader waits until it has applied everything committed before its term, then
/// rebuilds the broker from the replicated evaluations, so nothing a previous leader accepted is lost and
/// nothing is scheduled twice (a plan commits through this leader's log only).
public final class LeaderDuties: Service, Sendable {
    public struct Settings: Sendable {
        public var workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        public var heartbeats = HeartbeatMonitor.Settings()
        public var broker = EvalBroker.Settings()
        public init() {}
    }

    public let broker: EvalBroker
    public let heartbeats: HeartbeatMonitor
    let settings: Settings
    let handle: ConsensusHandle
    let hub: StateChangeHub
    let cluster: any ClusterAccess
    let logger: Logger

    public init(settings: Settings, handle: ConsensusHandle, hub: StateChangeHub, logger: Logger) {
        self.settings = settings
        self.handle = handle
        self.hub = hub
        self.logger = logger
        let cluster = RaftClusterAccess(handle: handle)
        self.cluster = cluster
        self.heartbeats = HeartbeatMonitor(settings: settings.heartbeats)
        self.broker = EvalBroker(settings: settings.broker) { eval in
            Task { await Self.markFailed(eval, cluster: cluster, logger: logger) }
        }
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await self.followLeadership()
            }
        } catch is CancellationError {
            // The shutdown itself.
        }
    }

    private func followLeadership() async throws {
        let driver = try await waitForDriver()
        var session: Task<Void, Never>?
        // The stream ends when the driver stops or this task is cancelled (shutdown).
        for await leadership in await driver.leadershipUpdates() {
            if leadership.isLeader, session == nil {
                logger.info("leader duties starting", metadata: ["term": "\(leadership.term)"])
                session = Task { await self.lead() }
            } else if !leadership.isLeader, let running = session {
                running.cancel()
                await running.value
                session = nil
                logger.info("leader duties stopped")
            }
        }
        session?.cancel()
        await session?.value
    }

    /// The driver exists once Raft's port is bound; this service starts with the daemon, a moment earlier.
    private func waitForDriver() async throws -> RaftDriver {
        while true {
            if let driver = try? handle.driver() { return driver }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Runs the duties until leadership is lost; a start that fails (the barrier timed out, say) is retried.
    private func lead() async {
        while !Task.isCancelled {
            if await leadOnce() { return }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    /// One term's duties; false when they could not start.
    private func leadOnce() async -> Bool {
        let applier = PlanApplier(cluster: cluster)
        var started = false
        do {
            let driver = try handle.driver()
            let caughtUp = try await driver.readBarrier()
            try await cluster.waitUntilApplied(caughtUp)
            let changes = hub.subscribe()
            let view = try await cluster.latestView()
            await broker.setEnabled(true)
            for eval in view.cluster.evals.values.sorted(by: { $0.createIndex < $1.createIndex }) {
                await broker.enqueue(eval)
            }
            await heartbeats.clear()
            await heartbeats.track(view.cluster.nodes.values.filter { $0.status != .down }.map(\.id))
            let after = view.appliedIndex
            started = true
            // The applier runs outside this task's cancellation: stopping it lets it answer every plan still
            // queued (they fail, as this server no longer leads) so no worker waits forever.
            let applierTask = Task { await applier.run() }
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<settings.workers {
                    group.addTask {
                        await SchedulerWorker(
                            broker: self.broker, applier: applier, cluster: self.cluster, logger: self.logger
                        ).run()
                    }
                }
                group.addTask { await self.follow(changes, after: after) }
                group.addTask { await self.judgeHeartbeats() }
                group.addTask {
                    await PeriodicLauncher(cluster: self.cluster, logger: self.logger, now: { Date() }).run()
                }
                group.addTask {
                    await DeploymentWatcher(cluster: self.cluster, logger: self.logger, now: { Date() }).run()
                }
                group.addTask {
                    await NodeDrainer(cluster: self.cluster, logger: self.logger, now: { Date() }).run()
                }
                group.addTask {
                    await ConnectCABootstrap(cluster: self.cluster, logger: self.logger, now: { Date() }).run()
                }
                // Returns when leadership is lost (this task is cancelled and the change feed ends).
                await group.next()
                group.cancelAll()
                applier.stop()
                await broker.setEnabled(false)
            }
            await applierTask.value
        } catch {
            if !Task.isCancelled {
                logger.warning("leader duties could not start; retrying", metadata: ["error": "\(error)"])
            }
        }
        applier.stop()
        await broker.setEnabled(false)
        await heartbeats.clear()
        return started
    }

    /// Feeds the broker from the replicated state: new evaluations queue, capacity changes retry blocked ones.
    private func follow(_ changes: AsyncStream<StateChange>, after index: UInt64) async {
        for await change in changes where change.index > index {
            if Task.isCancelled { return }
            for eval in change.evals {
                if let superseded = await broker.enqueue(eval) {
                    await cancelSuperseded(superseded, by: eval)
                }
            }
            if change.capacityChanged { await broker.unblockAll(capacityChangedAt: change.index) }
        }
    }

    private func cancelSuperseded(_ older: Caravan_V1_Evaluation, by newer: Caravan_V1_Evaluation) async {
        _ = try? await cluster.proposeAsLeader(
            EvalFactory.statusUpdate(
                older, to: .canceled, because: "superseded by blocked evaluation \(newer.id)", at: Date()))
    }

    /// Marks nodes that missed their heartbeats down, with evaluations for the jobs that ran there.
    private func judgeHeartbeats() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(100))
            for nodeID in await heartbeats.takeExpired() {
                do {
                    let view = try await cluster.latestView()
                    guard let node = view.cluster.nodes[nodeID], node.status != .down else { continue }
                    let now = Date()
                    var command = StateCommands.envelope(at: now)
                    command.updateNodeStatus = Caravan_V1_UpdateNodeStatusCommand.with {
                        $0.nodeID = nodeID
                        $0.status = .down
                        $0.description_p = "node missed its heartbeats"
                        $0.evals = NodeEvaluations.forJobsOn(nodeID: nodeID, in: view, at: now)
                    }
                    _ = try await cluster.proposeAsLeader(command)
                    logger.warning("node down: missed heartbeats", metadata: ["node": "\(nodeID)"])
                } catch {
                    if Task.isCancelled { return }
                    logger.warning(
                        "could not mark node down; retrying", metadata: ["node": "\(nodeID)", "error": "\(error)"])
                    await heartbeats.track([nodeID])
                }
            }
        }
    }

    private static func markFailed(_ eval: Caravan_V1_Evaluation, cluster: any ClusterAccess, logger: Logger) async {
        do {
            _ = try await cluster.proposeAsLeader(
                EvalFactory.statusUpdate(
                    eval, to: .failed, because: "evaluation reached its delivery limit", at: Date()))
        } catch {
            logger.warning("could not mark evaluation failed", metadata: ["eval": "\(eval.id)", "error": "\(error)"])
        }
    }
}
