import CaravanDaemon
import CaravanProto
import CaravanRPC

/// Assembles proxyd from its options. Listeners, mTLS between services and routing join here as they land.
///
/// Until workload identities from the Connect CA exist (the mesh issue), proxyd runs on the agent certificate
/// clientd gives it, which must carry client.<region>.caravan: proxies run on client nodes on clientd's behalf.
public enum ProxyDaemon {
    public static func runner(_ options: ProxyOptions) throws -> DaemonRunner {
        let description = AgentDescription(
            name: options.agent.nodeName,
            role: .proxy,
            region: options.agent.region,
            datacenter: options.agent.datacenter
        )
        return DaemonRunner(
            description: description, options: options.agent, port: options.port, certificateRole: .client)
    }
}
