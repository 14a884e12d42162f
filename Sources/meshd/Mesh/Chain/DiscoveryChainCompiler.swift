import CaravanProto

/// Compiles a service's config entries into the routing graph its callers' proxies follow.
///
/// Pure: the same graph and request always give the same chain. Semantics follow Consul's documented
/// service-router → service-splitter → service-resolver chain, in one namespace.
public enum DiscoveryChainCompiler {
    public static func compile(_ request: ChainCompileRequest, in graph: MeshConfigGraph)
        throws(ChainCompileError) -> CompiledChain
    {
        try compileRecordingLookups(request, in: graph).result.get()
    }

    /// The outcome plus every entry looked up on the way, including when compilation failed (the validator
    /// uses this to tell which chains a changed entry could have affected).
    static func compileRecordingLookups(_ request: ChainCompileRequest, in graph: MeshConfigGraph)
        -> (result: Result<CompiledChain, ChainCompileError>, consulted: Set<ConfigEntryKey>)
    {
        var compilation = ChainCompilation(request: request, graph: graph)
        do {
            let chain = try compilation.run()
            return (.success(chain), compilation.consulted)
        } catch {
            return (.failure(error), compilation.consulted)
        }
    }
}

/// The mutable state of one compilation: nodes and targets built so far and the entries consulted.
struct ChainCompilation {
    static let defaultConnectTimeout: Duration = .seconds(5)

    let request: ChainCompileRequest
    let graph: MeshConfigGraph
    var consulted: Set<ConfigEntryKey> = []
    var nodes: [String: Caravan_V1_ChainNode] = [:]
    var targets: [String: Caravan_V1_DiscoveryTarget] = [:]
    /// The first service whose protocol was recorded; every other service in the chain must match it.
    var protocolOrigin: (service: String, protocol: String)?

    init(request: ChainCompileRequest, graph: MeshConfigGraph) {
        self.request = request
        self.graph = graph
    }

    /// Routers and splitters take part unless an override makes the chain non-HTTP.
    var routingEnabled: Bool {
        guard let override = request.overrideProtocol else { return true }
        return MeshProtocol.isHTTPBased(override.lowercased())
    }

    mutating func run() throws(ChainCompileError) -> CompiledChain {
        let service = request.service
        guard !service.isEmpty else { throw .missingService }
        let ownProtocol = protocolOf(service)
        try recordProtocol(of: service)

        let start: String
        if routingEnabled, let router = lookup(ConfigEntryKind.serviceRouter, service) {
            start = try routerNode(service: service, router: router.serviceRouter)
        } else {
            start = try splitterOrResolverNode(service: service, referrer: "discovery chain \"\(service)\"")
        }

        var chain = Caravan_V1_CompiledDiscoveryChain()
        chain.serviceName = service
        chain.namespace = request.namespace
        chain.datacenter = request.datacenter
        chain.protocol = request.overrideProtocol?.lowercased() ?? ownProtocol
        chain.startNode = start
        chain.nodes = nodes
        chain.targets = targets
        chain.customized = request.overrideProtocol != nil || request.overrideConnectTimeout != nil
        return CompiledChain(
            chain: chain, consultedEntries: consulted, targetServices: Set(targets.values.map(\.service)))
    }

    /// Looks an entry up, remembering that the chain depends on it whether or not it exists.
    mutating func lookup(_ kind: String, _ name: String) -> Caravan_V1_ConfigEntry? {
        consulted.insert(ConfigEntryKey(kind: kind, name: name))
        return graph.entry(kind: kind, name: name)
    }

    mutating func protocolOf(_ service: String) -> String {
        _ = lookup(ConfigEntryKind.serviceDefaults, service)
        return graph.protocolOf(service)
    }

    /// Every service a chain reaches must speak the chain's protocol (unless the request overrides it).
    mutating func recordProtocol(of service: String) throws(ChainCompileError) {
        let protocolName = protocolOf(service)
        guard request.overrideProtocol == nil else { return }
        guard let origin = protocolOrigin else {
            protocolOrigin = (service, protocolName)
            return
        }
        if origin.protocol != protocolName {
            throw .inconsistentProtocols(
                chain: request.service, firstService: origin.service, firstProtocol: origin.protocol,
                service: service, protocol: protocolName)
        }
    }

    /// Routers and splitters act on HTTP requests, so their service must speak an HTTP-based protocol.
    mutating func requireHTTP(kind: String, service: String) throws(ChainCompileError) {
        guard request.overrideProtocol == nil else { return }
        let protocolName = protocolOf(service)
        guard MeshProtocol.isHTTPBased(protocolName) else {
            throw .routingNeedsHTTP(kind: kind, service: service, protocol: protocolName)
        }
    }

    /// The node a destination without a subset goes to: the service's splitter if it has one, else its resolver.
    mutating func splitterOrResolverNode(service: String, referrer: String) throws(ChainCompileError) -> String {
        if let splitter = try splitterNode(service: service) { return splitter }
        return try resolverNode(
            for: TargetRequest(service: service, datacenter: request.datacenter), referrer: referrer)
    }
}
