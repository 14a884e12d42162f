import CaravanProto

/// Picks the catalog instances that can serve a target and turns them into endpoints.
enum UpstreamEndpoints {
    /// Mesh-enabled instances of the target's service and datacenter that pass its subset filter and health
    /// rule, in a stable order so unchanged catalogs give identical snapshots.
    static func endpoints(of target: Caravan_V1_DiscoveryTarget, from instances: [Caravan_V1_ServiceInstance])
        -> [Caravan_V1_Endpoint]
    {
        // The compiler rejects filters that do not parse; should one slip through, serve nothing rather than all.
        guard let filter = try? SubsetFilter(parsing: target.subsetFilter) else { return [] }
        return instances.sorted { $0.id < $1.id }.compactMap { instance in
            guard instance.name == target.service, instance.kind != .connectProxy else { return nil }
            guard instance.datacenter.isEmpty || instance.datacenter == target.datacenter else { return nil }
            guard isHealthyEnough(instance.health, onlyPassing: target.onlyPassing) else { return nil }
            guard let (address, port) = meshAddress(instance), filter.matches(instance) else { return nil }
            var endpoint = Caravan_V1_Endpoint()
            endpoint.address = address
            endpoint.port = port
            endpoint.spiffeID = target.spiffeID
            endpoint.health = instance.health
            endpoint.weight = 1
            endpoint.allocID = instance.allocID
            endpoint.nodeID = instance.nodeID
            endpoint.subsetMeta = instance.meta
            return endpoint
        }
    }

    /// Critical instances never serve. A subset with OnlyPassing takes passing instances only (and those with
    /// no checks); otherwise warning and not-yet-checked instances serve too, as in Consul.
    static func isHealthyEnough(_ health: Caravan_V1_HealthStatus, onlyPassing: Bool) -> Bool {
        switch health {
        case .critical: return false
        case .passing, .unspecified: return true
        default: return !onlyPassing
        }
    }

    /// Where a caller reaches the instance over mTLS: its sidecar, or the instance itself when native.
    static func meshAddress(_ instance: Caravan_V1_ServiceInstance) -> (String, Int32)? {
        guard instance.hasConnect else { return nil }
        let connect = instance.connect
        if connect.native { return (instance.address, instance.port) }
        guard connect.sidecarPort > 0 else { return nil }
        return (connect.sidecarAddress.isEmpty ? instance.address : connect.sidecarAddress, connect.sidecarPort)
    }
}
