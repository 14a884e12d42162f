import CaravanDaemon
import CaravanProto
import CaravanRPC
import Foundation

/// Assembles meshd from its options: the follower that mirrors the servers' mesh state, the APIs for `ctl`, and
/// the proxy push. Nothing is stored locally, so replicas are interchangeable.
public enum MeshDaemon {
    public static func runner(_ options: MeshOptions) throws -> DaemonRunner {
        var details: [String: String] = [:]
        if let servers = try options.servers.detail() { details["servers"] = servers }
        details["default_intention_policy"] = options.defaultIntentionPolicy
        let description = AgentDescription(
            name: options.agent.nodeName,
            role: .mesh,
            region: options.agent.region,
            datacenter: options.agent.datacenter,
            details: details
        )
        let addresses = try options.servers.addresses()
        let settings = MeshSettings(
            datacenter: options.agent.datacenter, defaultAllow: options.defaultIntentionPolicy == "allow")
        return DaemonRunner(
            description: description, options: options.agent, port: options.port, certificateRole: .mesh
        ) { context in
            let servers = ServerFailoverPool(
                servers: addresses, tls: context.tls, region: context.options.region, streamTimeout: .seconds(300))
            let store = MeshViewStore()
            let backend = MeshBackend(store: store, servers: servers, settings: settings)
            let registry = ProxyRegistry(store: store, settings: settings, logger: context.logger)
            let leaves = ProxyLeafSource(store: store, servers: servers, now: { Date() })
            return DaemonComponents(
                services: [
                    IntentionsService(backend: backend), ConfigEntriesService(backend: backend),
                    DiscoveryChainService(backend: backend), ConnectCAService(backend: backend),
                    ProxyConfigService(registry: registry, leaves: leaves),
                ],
                background: [
                    MeshStateFollower(servers: servers, store: store, logger: context.logger),
                    ProxyPushService(registry: registry),
                ])
        }
    }
}
