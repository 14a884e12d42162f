import CaravanProto
import CaravanRPC

/// The mesh's part of the cluster state: service instances (derived from allocations), intentions, config entries,
/// the Connect CA, and the index of each dependency key's last change (`MeshStateKey`).
///
/// Instances are sharded like allocations (thousands of them change with allocations); the rest are small.
public struct MeshTables: Sendable {
    public internal(set) var instances = ShardedTable<Caravan_V1_ServiceInstance>()
    var instanceIDsByService: [String: Set<String>] = [:]
    var instanceIDsByAlloc: [String: Set<String>] = [:]
    public internal(set) var intentions: [String: Caravan_V1_Intention] = [:]
    /// By `ConfigEntryKey.text`.
    public internal(set) var configEntries: [String: Caravan_V1_ConfigEntry] = [:]
    /// Nil until the first leader created the CA.
    public internal(set) var connectCA: Caravan_V1_ConnectCAState?
    public internal(set) var keyIndexes: [String: UInt64] = [:]

    public init() {}

    /// Instances of `service`, sorted by id.
    public func instances(of service: String) -> [Caravan_V1_ServiceInstance] {
        (instanceIDsByService[service] ?? []).sorted().compactMap { instances[$0] }
    }

    /// Every service with at least one instance.
    public var serviceNames: [String] { instanceIDsByService.keys.sorted() }

    /// Every intention, by id.
    public var allIntentions: [Caravan_V1_Intention] { intentions.keys.sorted().compactMap { intentions[$0] } }

    /// The intention for the pair, if any.
    public func intention(source: String, destination: String) -> Caravan_V1_Intention? {
        intentions.values.first { $0.sourceName == source && $0.destinationName == destination }
    }

    public func configEntry(kind: String, name: String) -> Caravan_V1_ConfigEntry? {
        configEntries[Self.entryKey(kind: kind, name: name)]
    }

    /// Every config entry, sorted by kind then name.
    public var allConfigEntries: [Caravan_V1_ConfigEntry] {
        configEntries.keys.sorted().compactMap { configEntries[$0] }
    }

    /// The roots as APIs show them (never the keys).
    public var rootSet: Caravan_V1_CARootSet {
        var set = Caravan_V1_CARootSet()
        guard let ca = connectCA else { return set }
        set.roots = ca.roots
        set.trustDomain = ca.trustDomain
        set.activeRootID = ca.roots.first(where: \.active)?.id ?? ""
        return set
    }

    static func entryKey(kind: String, name: String) -> String { "\(kind)/\(name)" }

    mutating func record(_ key: String, at index: UInt64) { keyIndexes[key] = index }
}
