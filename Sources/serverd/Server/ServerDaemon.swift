import CaravanDaemon
import CaravanProto
import CaravanRPC

/// Assembles serverd from its options. Raft, the state store and the scheduler join here as they land.
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
        return DaemonRunner(
            description: description, options: options.agent, port: options.rpcPort, certificateRole: .server)
    }
}
