import CaravanProto
import SwiftProtobuf

/// A target before its resolver has had its say (redirects, default subset).
struct TargetRequest: Equatable {
    var service: String
    var subset: String = ""
    var datacenter: String

    /// This request with another service, subset or datacenter where those are set; naming another service
    /// drops the subset, which belonged to the old one.
    func rewritten(service newService: String, subset newSubset: String, datacenter newDatacenter: String)
        -> TargetRequest
    {
        var next = self
        if !newService.isEmpty && newService != service {
            next.service = newService
            next.subset = ""
        }
        if !newSubset.isEmpty { next.subset = newSubset }
        if !newDatacenter.isEmpty { next.datacenter = newDatacenter }
        return next
    }
}

extension ChainCompilation {
    /// The resolver node for a target request, with its failover targets.
    mutating func resolverNode(for targetRequest: TargetRequest, referrer: String) throws(ChainCompileError) -> String {
        let (target, resolver) = try resolveTarget(targetRequest, referrer: referrer)
        let name = ChainNaming.resolverNode(target.id)
        if nodes[name] != nil { return name }

        var node = Caravan_V1_ChainNode()
        node.type = .resolver
        node.name = name
        node.resolver.isDefault = resolver == nil
        node.resolver.target = target.id
        node.resolver.connectTimeout = target.connectTimeout
        if let resolver, resolver.hasLoadBalancer { node.resolver.loadBalancer = resolver.loadBalancer }
        if let resolver {
            node.resolver.failover.targets = try failoverTargets(
                of: target, resolver: resolver,
                primary: TargetRequest(
                    service: target.service, subset: target.serviceSubset, datacenter: target.datacenter))
        }
        nodes[name] = node
        return name
    }

    /// Targets tried in order when `target` has no healthy instance: the failover for its subset, else "*".
    private mutating func failoverTargets(
        of target: Caravan_V1_DiscoveryTarget, resolver: Caravan_V1_ServiceResolver, primary: TargetRequest
    ) throws(ChainCompileError) -> [String] {
        let key = resolver.failover[target.serviceSubset] != nil ? target.serviceSubset : "*"
        guard let failover = resolver.failover[key] else { return [] }
        let referrer = "service-resolver \"\(target.service)\" Failover[\"\(key)\"]"
        let datacenters = failover.datacenters.isEmpty ? [""] : failover.datacenters
        var ids: [String] = []
        for datacenter in datacenters {
            let next = primary.rewritten(
                service: failover.service, subset: failover.serviceSubset, datacenter: datacenter)
            let (resolved, _) = try resolveTarget(next, referrer: referrer)
            if resolved.id != target.id && !ids.contains(resolved.id) { ids.append(resolved.id) }
        }
        return ids
    }

    /// Follows redirects and the default subset to a concrete target, checks it and records it.
    mutating func resolveTarget(_ start: TargetRequest, referrer: String) throws(ChainCompileError)
        -> (Caravan_V1_DiscoveryTarget, Caravan_V1_ServiceResolver?)
    {
        var current = start
        var referrer = referrer
        var visitedTargets: [String] = []
        var visitedResolvers: [String] = []
        while true {
            let id = targetID(current)
            if visitedTargets.contains(id) {
                throw .circularRedirect(targets: visitedTargets + [id], resolvers: visitedResolvers + [current.service])
            }
            visitedTargets.append(id)
            visitedResolvers.append(current.service)
            try recordProtocol(of: current.service)
            let resolver = lookup(ConfigEntryKind.serviceResolver, current.service)?.serviceResolver

            if let resolver, resolver.hasRedirect {
                if !resolver.subsets.isEmpty || !resolver.failover.isEmpty || !resolver.defaultSubset.isEmpty {
                    throw .redirectWithSubsetsOrFailover(service: current.service)
                }
                let redirect = resolver.redirect
                let next = current.rewritten(
                    service: redirect.service, subset: redirect.serviceSubset, datacenter: redirect.datacenter)
                if targetID(next) != id {
                    referrer = "service-resolver \"\(current.service)\" Redirect"
                    current = next
                    continue
                }
            }
            if current.subset.isEmpty, let resolver, !resolver.defaultSubset.isEmpty {
                referrer = "service-resolver \"\(current.service)\" DefaultSubset"
                current.subset = resolver.defaultSubset
                continue
            }
            let target = try makeTarget(current, resolver: resolver, referrer: referrer)
            targets[target.id] = target
            return (target, resolver)
        }
    }

    private func targetID(_ target: TargetRequest) -> String {
        ChainNaming.targetID(
            service: target.service, subset: target.subset, namespace: request.namespace,
            datacenter: target.datacenter)
    }

    private func makeTarget(_ current: TargetRequest, resolver: Caravan_V1_ServiceResolver?, referrer: String)
        throws(ChainCompileError) -> Caravan_V1_DiscoveryTarget
    {
        var target = Caravan_V1_DiscoveryTarget()
        target.id = targetID(current)
        target.service = current.service
        target.serviceSubset = current.subset
        target.namespace = request.namespace
        target.datacenter = current.datacenter
        if !current.subset.isEmpty {
            guard let subset = resolver?.subsets[current.subset] else {
                throw .unknownSubset(
                    referrer: referrer, service: current.service, subset: current.subset,
                    defined: (resolver?.subsets.keys).map { $0.sorted() } ?? [], resolverExists: resolver != nil)
            }
            do {
                _ = try SubsetFilter(parsing: subset.filter)
            } catch {
                throw .invalidSubsetFilter(service: current.service, subset: current.subset, error: error)
            }
            target.subsetFilter = subset.filter
            target.onlyPassing = subset.onlyPassing
        }
        let defaults = graph.entry(kind: ConfigEntryKind.serviceDefaults, name: current.service)?.serviceDefaults
        if let externalSNI = defaults?.externalSni, !externalSNI.isEmpty {
            target.sni = externalSNI
        } else {
            target.sni = ChainNaming.sni(
                service: current.service, subset: current.subset, namespace: request.namespace,
                datacenter: current.datacenter, trustDomain: request.trustDomain)
        }
        target.spiffeID = ChainNaming.spiffeID(
            service: current.service, namespace: request.namespace, datacenter: current.datacenter,
            trustDomain: request.trustDomain)
        if let defaults { target.meshGateway = defaults.meshGateway }
        target.connectTimeout = connectTimeout(resolver)
        return target
    }

    /// The request's override, else the resolver's, else Consul's default of 5 s.
    private func connectTimeout(_ resolver: Caravan_V1_ServiceResolver?) -> Google_Protobuf_Duration {
        if let override = request.overrideConnectTimeout {
            return Google_Protobuf_Duration(rounding: override, rule: .toNearestOrAwayFromZero)
        }
        if let resolver, resolver.hasConnectTimeout,
            resolver.connectTimeout.seconds > 0 || resolver.connectTimeout.nanos > 0
        {
            return resolver.connectTimeout
        }
        return Google_Protobuf_Duration(rounding: Self.defaultConnectTimeout, rule: .toNearestOrAwayFromZero)
    }
}
