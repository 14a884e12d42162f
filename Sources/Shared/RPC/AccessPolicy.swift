/// Which caller roles may call which gRPC services (and, where a service mixes callers, which methods).
///
/// Deny by default: a service missing from the policy cannot be called by anyone, so adding a service without
/// deciding who may call it fails closed. Method rules override service rules.
public struct AccessPolicy: Sendable {
    /// Callers allowed on every method of a service, keyed by fully qualified service name (`caravan.v1.Raft`).
    public var services: [String: Set<AgentRole>]
    /// Callers allowed on one method, keyed by `service/method`.
    public var methods: [String: Set<AgentRole>]

    public init(services: [String: Set<AgentRole>], methods: [String: Set<AgentRole>] = [:]) {
        self.services = services
        self.methods = methods
    }

    /// The roles that may call `method` of `service`; empty when nobody may.
    public func allowedRoles(service: String, method: String) -> Set<AgentRole> {
        methods["\(service)/\(method)"] ?? services[service] ?? []
    }

    /// Caravan's v1 policy, from the API's table of services and callers (shared/API.md).
    public static let caravan: AccessPolicy = {
        let all = Set(AgentRole.allCases)
        let nodeAgentCalls = ["Register", "Heartbeat", "WatchAllocations", "UpdateAllocations", "IssueWorkloadToken"]
        var methods: [String: Set<AgentRole>] = [:]
        for method in nodeAgentCalls { methods["caravan.v1.Nodes/\(method)"] = [.client] }
        // Heartbeats reset timers on the leader; a follower forwards them there with its server certificate.
        methods["caravan.v1.Nodes/Heartbeat"] = [.client, .server]
        return AccessPolicy(
            services: [
                "caravan.v1.Agent": all,
                "caravan.v1.Raft": [.server],
                "caravan.v1.Operator": [.cli],
                "caravan.v1.Variables": [.cli, .client],
                "caravan.v1.Jobs": [.cli],
                "caravan.v1.Evaluations": [.cli],
                "caravan.v1.Deployments": [.cli],
                "caravan.v1.Allocations": [.cli],
                "caravan.v1.Nodes": [.cli],
                "caravan.v1.Catalog": [.mesh, .cli],
                "caravan.v1.MeshState": [.mesh],
                "caravan.v1.ClientFS": [.server, .cli],
                "caravan.v1.ClientAllocations": [.server],
                "caravan.v1.Intentions": [.cli],
                "caravan.v1.ConfigEntries": [.cli],
                "caravan.v1.DiscoveryChain": [.cli],
                "caravan.v1.ConnectCA": [.cli],
                // proxyd runs on the client certificate clientd hands it; the workload token in its hello then
                // binds the stream to one (allocation, service), checked by the servers before any leaf is signed.
                "caravan.v1.ProxyConfig": [.client],
            ],
            methods: methods
        )
    }()
}
