import CaravanDaemon
import CaravanProto
import CaravanRPC
import State

/// Assembles serverd from its options: Raft with the replicated state on the Raft port, the API services on
/// the RPC port. The scheduler joins here as it lands.
public enum ServerDaemon {
    public static func runner(_ options: ServerOptions) throws -> DaemonRunner {
        var details = ["bootstrap_expect": "\(options.bootstrapExpect)"]
        let joins = try options.joinAddresses()
        if !joins.isEmpty { details["join"] = joins.map(\.description).joined(separator: ",") }
        let description = AgentDescription(
            name: options.agent.nodeName,
            role: .server,
            region: options.agent.region,
            datacenter: options.agent.datacenter,
            details: details
        )
        let handle = ConsensusHandle()
        var settings = RaftSettings()
        settings.snapshotThreshold = options.raftSnapshotThreshold
        settings.trailingLogs = options.raftTrailingLogs
        let configuration = ServerRuntime.Configuration(
            name: options.agent.nodeName, raftBind: options.agent.listenAddress(port: options.raftPort),
            bootstrapExpect: options.bootstrapExpect, joinAddresses: joins, settings: settings)
        let dataDir = options.agent.dataDir ?? "."
        let leafTTL = try options.leafTTL()
        let leaderSettings = try options.leaderSettings()
        return DaemonRunner(
            description: description, options: options.agent, port: options.rpcPort, certificateRole: .server
        ) { context in
            let hub = StateChangeHub()
            let machine = StateMachine()
            machine.changeObserver = { hub.publish($0) }
            let runtime = try ServerRuntime(
                configuration: configuration, context: context, dataDir: dataDir, stateMachine: machine,
                handle: handle)
            let state = RaftReplicatedState(handle: handle)
            let queries = ClusterQueries(state: state, hub: hub)
            let duties = LeaderDuties(settings: leaderSettings, handle: handle, hub: hub, logger: context.logger)
            let heartbeats = NodeHeartbeats(handle: handle, duties: duties, queries: queries)
            return DaemonComponents(
                services: [
                    VariablesService(state: state), OperatorService(handle: handle), JobsService(queries: queries),
                    NodesService(queries: queries, heartbeats: heartbeats), EvaluationsService(queries: queries),
                    DeploymentsService(queries: queries), CatalogService(queries: queries),
                    MeshStateService(queries: queries, leafTTL: leafTTL),
                    AllocationsService(
                        queries: queries,
                        files: NodeFileAccess(queries: queries, tls: context.tls, region: context.options.region)),
                ],
                background: [runtime, duties])
        }
    }
}
