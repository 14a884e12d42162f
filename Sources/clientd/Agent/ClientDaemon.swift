import CaravanDaemon
import CaravanProto
import CaravanRPC

/// Assembles clientd from its options. Fingerprinting, drivers and the alloc runner join here as they land.
public enum ClientDaemon {
    public static func runner(_ options: ClientOptions) throws -> DaemonRunner {
        var details: [String: String] = [:]
        if let servers = try options.servers.detail() { details["servers"] = servers }
        let description = AgentDescription(
            name: options.agent.nodeName,
            role: .client,
            region: options.agent.region,
            datacenter: options.agent.datacenter,
            details: details
        )
        return DaemonRunner(
            description: description, options: options.agent, port: options.port, certificateRole: .client)
    }
}
