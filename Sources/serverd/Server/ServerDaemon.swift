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
        return DaemonRunner(
            description: description, options: options.agent, port: options.rpcPort, certificateRole: .server
        ) { context in
            let runtime = try ServerRuntime(
                configuration: configuration, context: context, dataDir: dataDir, stateMachine: StateMachine(),
                handle: handle)
            let state = RaftReplicatedState(handle: handle)
            return DaemonComponents(
                services: [VariablesService(state: state), OperatorService(handle: handle)],
                background: [runtime])
        }
    }
}
