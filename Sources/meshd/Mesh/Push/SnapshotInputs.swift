import CaravanProto
import CaravanRPC

/// What every snapshot built from one view shares, computed once per rebuild instead of once per proxy: the
/// intention set, the config graph and the compiled chains by destination. Not thread-safe: one rebuild uses it.
public final class SnapshotInputs {
    let view: MeshView
    let settings: MeshSettings
    let intentions: IntentionSet
    let graph: MeshConfigGraph
    private var chains: [String: Result<CompiledChain, ChainCompileError>] = [:]
    private var listeners: [Caravan_V1_ConnectUpstream: UpstreamPart?] = [:]
    private var intentionsByDestination: [String: [Caravan_V1_Intention]] = [:]
    private var protocols: [String: String] = [:]
    private var connectInstances: [String: [String: Caravan_V1_ServiceInstance]] = [:]

    /// An upstream listener as every proxy with the same upstream definition gets it, with what it depends on.
    public struct UpstreamPart: Sendable {
        public var listener: Caravan_V1_UpstreamListener
        public var dependencies: Set<String>
    }

    public init(view: MeshView, settings: MeshSettings) {
        self.view = view
        self.settings = settings
        let entries = view.allConfigEntries
        intentions = IntentionSet(stored: view.allIntentions, configEntries: entries)
        graph = MeshConfigGraph(entries: entries)
    }

    var trustDomain: String { view.roots.trustDomain }

    /// The listener for `upstream`, built once per rebuild for every proxy declaring the same upstream; nil when its
    /// chain does not compile (such a write was refused; the destination gets no listener rather than a wrong one).
    func upstream(_ upstream: Caravan_V1_ConnectUpstream) -> UpstreamPart? {
        if let cached = listeners[upstream] { return cached }
        var part: UpstreamPart?
        if case .success(let chain) = chain(for: upstream.destinationName) {
            var dependencies = Set(chain.consultedEntries.map(\.watchKey))
            dependencies.formUnion(chain.targetServices.map(MeshStateKey.catalog))
            part = UpstreamPart(
                listener: UpstreamListenerBuilder.build(
                    upstream: upstream, chain: chain, instances: view.instances(of:)),
                dependencies: dependencies)
        }
        listeners[upstream] = part
        return part
    }

    /// The intentions a proxy fronting `destination` evaluates, in order; computed once per rebuild.
    func intentions(for destination: String) -> [Caravan_V1_Intention] {
        if let cached = intentionsByDestination[destination] { return cached }
        let found = intentions.forDestination(destination)
        intentionsByDestination[destination] = found
        return found
    }

    /// The mesh-enabled instance of `service` run by allocation `allocID` (indexed once per service per rebuild: a
    /// thousand proxies of one service would otherwise each scan its thousand instances).
    func instance(of service: String, allocID: String) -> Caravan_V1_ServiceInstance? {
        if let index = connectInstances[service] { return index[allocID] }
        var index: [String: Caravan_V1_ServiceInstance] = [:]
        for instance in view.instances(of: service) where instance.hasConnect && index[instance.allocID] == nil {
            index[instance.allocID] = instance
        }
        connectInstances[service] = index
        return index[allocID]
    }

    func protocolOf(_ service: String) -> String {
        if let cached = protocols[service] { return cached }
        let found = graph.protocolOf(service)
        protocols[service] = found
        return found
    }

    /// The chain for `destination`, compiled once per rebuild.
    func chain(for destination: String) -> Result<CompiledChain, ChainCompileError> {
        if let cached = chains[destination] { return cached }
        let request = ChainCompileRequest(
            service: destination, datacenter: settings.datacenter, trustDomain: trustDomain)
        let result: Result<CompiledChain, ChainCompileError>
        do {
            result = .success(try DiscoveryChainCompiler.compile(request, in: graph))
        } catch {
            result = .failure(error)
        }
        chains[destination] = result
        return result
    }
}
