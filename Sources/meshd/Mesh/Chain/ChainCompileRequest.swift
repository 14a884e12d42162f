import CaravanProto

/// What to compile: a service's chain as seen from one datacenter, with the what-if overrides of
/// `DiscoveryChain.Compile`.
public struct ChainCompileRequest: Sendable {
    public var service: String
    public var namespace: String
    public var datacenter: String
    public var trustDomain: String
    /// Treat the chain as speaking this protocol; a non-HTTP one leaves routers and splitters out.
    public var overrideProtocol: String?
    /// Use this connect timeout for every resolver.
    public var overrideConnectTimeout: Duration?

    public init(
        service: String, namespace: String = "default", datacenter: String, trustDomain: String,
        overrideProtocol: String? = nil, overrideConnectTimeout: Duration? = nil
    ) {
        self.service = service
        self.namespace = namespace
        self.datacenter = datacenter
        self.trustDomain = trustDomain
        self.overrideProtocol = overrideProtocol
        self.overrideConnectTimeout = overrideConnectTimeout
    }
}

/// A compiled chain plus what it depends on, so meshd knows when to recompile it and which catalog services
/// feed its endpoints.
public struct CompiledChain: Sendable {
    public var chain: Caravan_V1_CompiledDiscoveryChain
    /// Every (kind, name) the compiler looked up, whether the entry existed or not: creating a missing entry
    /// changes the chain as much as editing a present one.
    public var consultedEntries: Set<ConfigEntryKey>
    /// Services whose instances become endpoints (primary and failover targets).
    public var targetServices: Set<String>

    public init(
        chain: Caravan_V1_CompiledDiscoveryChain, consultedEntries: Set<ConfigEntryKey>, targetServices: Set<String>
    ) {
        self.chain = chain
        self.consultedEntries = consultedEntries
        self.targetServices = targetServices
    }
}
