import CaravanDaemon
import CaravanRPC
import Foundation
import Logging
import Raft
import RaftStore
import ServiceLifecycle

/// serverd's consensus, as a lifecycle service: the Raft port's gRPC server, the driver's ticks and the
/// cluster formation loop. It starts once both ports are bound, because every server's membership entry
/// carries its real addresses.
public struct ServerRuntime: Service {
    public struct Configuration: Sendable {
        public var name: String
        public var raftBind: HostPort
        public var bootstrapExpect: Int
        public var joinAddresses: [HostPort]
        public var settings: RaftSettings

        public init(
            name: String, raftBind: HostPort, bootstrapExpect: Int, joinAddresses: [HostPort], settings: RaftSettings
        ) {
            self.name = name
            self.raftBind = raftBind
            self.bootstrapExpect = bootstrapExpect
            self.joinAddresses = joinAddresses
            self.settings = settings
        }
    }

    let configuration: Configuration
    let context: DaemonContext
    let handle: ConsensusHandle
    let storage: ConsensusStorage
    let raftServer: RPCServer

    /// Opens the stores and restores the state machine now, so a damaged data dir stops the daemon at once.
    public init(
        configuration: Configuration, context: DaemonContext, dataDir: String, stateMachine: any ConsensusStateMachine,
        handle: ConsensusHandle
    ) throws {
        self.configuration = configuration
        self.context = context
        self.handle = handle
        self.storage = try ConsensusStorage(dataDir: dataDir, stateMachine: stateMachine, logger: context.logger)
        let service = RaftService(handle: handle, snapshots: storage.snapshots, logger: context.logger)
        self.raftServer = RPCServer(
            bind: configuration.raftBind, tls: context.tls, region: context.options.region, services: [service])
    }

    public func run() async throws {
        let logger = context.logger
        // Raft traffic needs no draining: on SIGTERM everything here is cancelled at once. Waiting for the
        // peers' inbound streams to end would wait forever, since they end only when the peers stop.
        do {
            try await cancelWhenGracefulShutdown {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        do {
                            try await raftServer.serve()
                        } catch  where Task.isCancelled {
                            // Stopping: the transport reports the cancellation as its own error.
                        }
                    }
                    let raftAddress = try await raftServer.listeningAddress()
                    var rpcAddress = context.status.currentBoundAddress
                    while rpcAddress == nil {
                        try await Task.sleep(for: .milliseconds(10))
                        rpcAddress = context.status.currentBoundAddress
                    }
                    let member = RaftMember(
                        id: storage.serverID, name: configuration.name, raftAddress: raftAddress,
                        rpcAddress: rpcAddress ?? raftAddress)
                    logger.info(
                        "raft port open",
                        metadata: ["address": "\(raftAddress)", "id": "\(RaftPeerID.format(member.id))"])
                    let driver = makeDriver(member: member)
                    let formation = ClusterFormation(
                        driver: driver, expect: configuration.bootstrapExpect,
                        joinAddresses: configuration.joinAddresses,
                        tls: context.tls, region: context.options.region, logger: logger)
                    handle.set(.init(driver: driver, formation: formation))
                    group.addTask { await driver.runTicks() }
                    group.addTask { await formation.run() }
                    group.addTask { await reportLeader(driver) }
                    try await group.next()
                    group.cancelAll()
                }
            }
        } catch is CancellationError {
            // The shutdown itself.
        }
        // Waiting writes and reads fail now, so the RPC port's in-flight calls can finish.
        await (try? handle.driver())?.stop()
        raftServer.beginGracefulShutdown()
        logger.info("raft stopped")
    }

    private func makeDriver(member: RaftMember) -> RaftDriver {
        let transport = RaftTransport(
            selfID: member.id, tls: context.tls, region: context.options.region, snapshots: storage.snapshots,
            requestTimeout: configuration.settings.requestTimeout, logger: context.logger)
        return RaftDriver(
            id: member.id, selfMember: member, settings: configuration.settings, logStore: storage.logStore,
            snapshots: storage.snapshots, stateMachine: storage.stateMachine, transport: transport,
            restored: storage.restored, logger: context.logger)
    }

    /// Keeps `Agent.Status` showing the leader's RPC address.
    private func reportLeader(_ driver: RaftDriver) async {
        var last = ""
        while !Task.isCancelled {
            let status = await driver.status
            let leader = status.leader.flatMap { status.members[$0]?.rpcAddress.description } ?? ""
            if leader != last {
                context.status.setLeader(leader)
                if !leader.isEmpty {
                    context.logger.info("raft leader", metadata: ["leader": "\(leader)", "term": "\(status.term)"])
                }
                last = leader
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }
}

/// The on-disk parts of consensus under `<data-dir>/raft`, opened and checked at start.
struct ConsensusStorage: @unchecked Sendable {
    let logStore: RaftLogStore
    let snapshots: SnapshotStore
    /// Only the driver touches it after start; it is handed over once.
    let stateMachine: any ConsensusStateMachine
    let serverID: NodeID
    let restored: RestoredRaftState

    init(dataDir: String, stateMachine: any ConsensusStateMachine, logger: Logger) throws {
        let directory = (dataDir as NSString).appendingPathComponent("raft")
        logStore = try RaftLogStore(directory: directory)
        snapshots = try SnapshotStore(directory: (directory as NSString).appendingPathComponent("snapshots"))
        serverID = try logStore.serverID()
        self.stateMachine = stateMachine
        restored = try RaftDriver.restore(
            logStore: logStore, snapshots: snapshots, stateMachine: stateMachine, logger: logger)
    }
}
