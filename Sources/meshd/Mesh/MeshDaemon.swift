import CaravanDaemon
import CaravanProto
import CaravanRPC

/// Assembles meshd from its options. Intentions, config entries and the proxy push join here as they land.
public enum MeshDaemon {
    public static func runner(_ options: MeshOptions) throws -> DaemonRunner {
        var details: [String: String] = [:]
        if let servers = try options.servers.detail() { details["servers"] = servers }
        let description = AgentDescription(
            name: options.agent.nodeName,
            role: .mesh,
            region: options.agent.region,
            datacenter: options.agent.datacenter,
            details: details
        )
        return DaemonRunner(
            description: description, options: options.agent, port: options.port, certificateRole: .mesh)
    }
}
