import CaravanProto
import CaravanRPC
import Foundation
import SwiftProtobuf

/// Builds one proxy's complete `ProxySnapshot` from the mesh view, with the dependency keys it was built from and
/// its version: the highest change index among those keys, or the leaf's serial if higher. Every replica holding
/// the same view builds the same snapshot with the same version. Pure apart from the shared per-rebuild inputs.
public enum ProxySnapshotBuilder {
    public struct Built: Sendable {
        /// Nil while the proxy's own instance is not in the catalog yet (its allocation is not running).
        public var snapshot: Caravan_V1_ProxySnapshot?
        public var dependencies: Set<String>
        public var version: UInt64
    }

    public static func build(for proxy: ProxyRegistration, inputs: SnapshotInputs) -> Built {
        let view = inputs.view
        var dependencies: Set<String> = [
            MeshStateKey.catalog(proxy.service), MeshStateKey.intentions(proxy.service), MeshStateKey.intentions("*"),
            MeshStateKey.roots,
            MeshStateKey.config(kind: "service-defaults", name: proxy.service),
            MeshStateKey.config(kind: "service-intentions", name: proxy.service),
            MeshStateKey.config(kind: "service-intentions", name: "*"),
        ]
        guard let instance = inputs.instance(of: proxy.service, allocID: proxy.allocID) else {
            return Built(snapshot: nil, dependencies: dependencies, version: 0)
        }
        var snapshot = Caravan_V1_ProxySnapshot()
        snapshot.identity = identity(of: proxy, instance: instance, inputs: inputs)
        snapshot.tls = tls(of: proxy, view: view)
        snapshot.inbound = inbound(for: instance, inputs: inputs)
        for upstream in instance.connect.proxy.upstreams {
            guard let part = inputs.upstream(upstream) else {
                dependencies.insert(MeshStateKey.config(kind: "service-defaults", name: upstream.destinationName))
                continue
            }
            dependencies.formUnion(part.dependencies)
            snapshot.upstreams.append(part.listener)
        }
        snapshot.exposePaths = instance.connect.proxy.expose.paths
        let version = max(view.version(of: dependencies), proxy.leafSerial)
        snapshot.version = version
        return Built(snapshot: snapshot, dependencies: dependencies, version: version)
    }

    static func identity(
        of proxy: ProxyRegistration, instance: Caravan_V1_ServiceInstance, inputs: SnapshotInputs
    ) -> Caravan_V1_ProxyIdentity {
        var identity = Caravan_V1_ProxyIdentity()
        identity.service = proxy.service
        identity.allocID = proxy.allocID
        identity.proxyID = proxy.proxyID
        identity.namespace = proxy.namespace
        identity.datacenter = instance.datacenter.isEmpty ? inputs.settings.datacenter : instance.datacenter
        identity.spiffeID = proxy.leaf.spiffeID
        return identity
    }

    static func tls(of proxy: ProxyRegistration, view: MeshView) -> Caravan_V1_ProxyTLS {
        var tls = Caravan_V1_ProxyTLS()
        tls.leaf = proxy.leaf
        tls.keyID = proxy.keyID
        tls.roots = view.roots.roots
        tls.trustDomain = view.roots.trustDomain
        return tls
    }

    static func inbound(for instance: Caravan_V1_ServiceInstance, inputs: SnapshotInputs) -> Caravan_V1_InboundListener
    {
        var inbound = Caravan_V1_InboundListener()
        inbound.bindAddress = "0.0.0.0"
        inbound.bindPort = instance.connect.sidecarBindPort
        let proxy = instance.connect.proxy
        inbound.localAppAddress = proxy.localServiceAddress.isEmpty ? "127.0.0.1" : proxy.localServiceAddress
        inbound.localAppPort = instance.connect.localServicePort
        inbound.protocol = listenerProtocol(inputs.protocolOf(instance.name))
        inbound.intentions = inputs.intentions(for: instance.name)
        inbound.defaultAction = inputs.settings.defaultAction
        return inbound
    }

    static func listenerProtocol(_ name: String) -> Caravan_V1_ListenerProtocol {
        switch name {
        case "http": .http
        case "http2": .http2
        case "grpc": .grpc
        default: .tcp
        }
    }
}
