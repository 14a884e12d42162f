import CaravanProto
import SwiftProtobuf

/// Builds the upstream listener a proxy runs for one upstream: the chain flattened to routes, and every target
/// with its current endpoints from the catalog.
public enum UpstreamListenerBuilder {
    /// `instances` returns the catalog instances of a service name.
    public static func build(
        upstream: Caravan_V1_ConnectUpstream, chain: CompiledChain,
        instances: (String) -> [Caravan_V1_ServiceInstance]
    ) -> Caravan_V1_UpstreamListener {
        let compiled = chain.chain
        var listener = Caravan_V1_UpstreamListener()
        listener.destinationName = upstream.destinationName
        listener.destinationNamespace =
            upstream.destinationNamespace.isEmpty ? "default" : upstream.destinationNamespace
        listener.localBindAddress = upstream.localBindAddress.isEmpty ? "127.0.0.1" : upstream.localBindAddress
        listener.localBindPort = upstream.localBindPort
        listener.protocol = listenerProtocol(compiled.protocol)
        listener.chain = compiled
        listener.routes = UpstreamRouteFlattener.routes(compiled)

        let resolvers = Dictionary(
            compiled.nodes.values.filter { $0.type == .resolver }.map { ($0.resolver.target, $0.resolver) },
            uniquingKeysWith: { first, _ in first })
        for (id, target) in compiled.targets {
            listener.targets[id] = upstreamTarget(target, resolver: resolvers[id], instances: instances(target.service))
        }
        if let timeout = defaultConnectTimeout(compiled, listener.routes) { listener.connectTimeout = timeout }
        return listener
    }

    static func listenerProtocol(_ name: String) -> Caravan_V1_ListenerProtocol {
        switch name.lowercased() {
        case "http": return .http
        case "http2": return .http2
        case "grpc": return .grpc
        default: return .tcp
        }
    }

    static func upstreamTarget(
        _ target: Caravan_V1_DiscoveryTarget, resolver: Caravan_V1_ChainResolver?,
        instances: [Caravan_V1_ServiceInstance]
    ) -> Caravan_V1_UpstreamTarget {
        var upstream = Caravan_V1_UpstreamTarget()
        upstream.endpoints = UpstreamEndpoints.endpoints(of: target, from: instances)
        upstream.sni = target.sni
        upstream.spiffeID = target.spiffeID
        upstream.connectTimeout = target.connectTimeout
        if let resolver {
            upstream.failoverTargetIds = resolver.failover.targets
            if resolver.hasLoadBalancer { upstream.loadBalancer = resolver.loadBalancer }
        }
        return upstream
    }

    /// The timeout of the target unmatched traffic goes to (the last route's first target).
    static func defaultConnectTimeout(_ chain: Caravan_V1_CompiledDiscoveryChain, _ routes: [Caravan_V1_UpstreamRoute])
        -> Google_Protobuf_Duration?
    {
        guard let id = routes.last?.targets.first?.targetID, let target = chain.targets[id] else { return nil }
        return target.connectTimeout
    }
}
