import CaravanProto

/// Identifies a config entry by kind and name; the unit a compiled chain depends on.
public struct ConfigEntryKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var kind: String
    public var name: String

    public init(kind: String, name: String) {
        self.kind = kind
        self.name = name
    }

    /// The key `MeshState.Watch` reports this entry's change index under.
    public var watchKey: String { "config:\(kind)/\(name)" }

    public var description: String { "\(kind) \"\(name)\"" }

    public static func < (lhs: ConfigEntryKey, rhs: ConfigEntryKey) -> Bool {
        (lhs.kind, lhs.name) < (rhs.kind, rhs.name)
    }
}

/// The config entry kinds the discovery chain reads.
enum ConfigEntryKind {
    static let serviceDefaults = "service-defaults"
    static let serviceRouter = "service-router"
    static let serviceSplitter = "service-splitter"
    static let serviceResolver = "service-resolver"
}

/// All config entries meshd knows, indexed by kind and name (one namespace), so chains compile against a snapshot.
public struct MeshConfigGraph: Sendable {
    private var entries: [ConfigEntryKey: Caravan_V1_ConfigEntry]

    public init(entries: [Caravan_V1_ConfigEntry]) {
        var index: [ConfigEntryKey: Caravan_V1_ConfigEntry] = [:]
        for entry in entries { index[ConfigEntryKey(kind: entry.kind, name: entry.name)] = entry }
        self.entries = index
    }

    /// Every entry, in key order.
    public var allEntries: [Caravan_V1_ConfigEntry] {
        entries.keys.sorted().compactMap { entries[$0] }
    }

    public func entry(kind: String, name: String) -> Caravan_V1_ConfigEntry? {
        entries[ConfigEntryKey(kind: kind, name: name)]
    }

    /// The graph as it would be after writing `entry` (for validating the write before it commits).
    public func replacing(_ entry: Caravan_V1_ConfigEntry) -> MeshConfigGraph {
        var copy = self
        copy.entries[ConfigEntryKey(kind: entry.kind, name: entry.name)] = entry
        return copy
    }

    /// The graph as it would be after deleting an entry.
    public func removing(kind: String, name: String) -> MeshConfigGraph {
        var copy = self
        copy.entries[ConfigEntryKey(kind: kind, name: name)] = nil
        return copy
    }

    /// The protocol `service` speaks: its service-defaults `Protocol`, lowercased, "tcp" when unset.
    public func protocolOf(_ service: String) -> String {
        let configured = entry(kind: ConfigEntryKind.serviceDefaults, name: service)?.serviceDefaults.protocol ?? ""
        return configured.isEmpty ? "tcp" : configured.lowercased()
    }

    /// Every service any entry names: entry names plus the services routes, splits, redirects and failovers
    /// point at. These are the chains a write could change.
    public var namedServices: Set<String> {
        var services = Set<String>()
        for entry in entries.values {
            services.insert(entry.name)
            switch entry.body {
            case .serviceRouter(let router):
                for route in router.routes { services.insert(route.destination.service) }
            case .serviceSplitter(let splitter):
                for split in splitter.splits { services.insert(split.service) }
            case .serviceResolver(let resolver):
                if resolver.hasRedirect { services.insert(resolver.redirect.service) }
                for failover in resolver.failover.values { services.insert(failover.service) }
            default:
                break
            }
        }
        services.remove("")
        services.remove("*")
        return services
    }
}

/// Whether a protocol carries HTTP requests, which routers and splitters act on.
enum MeshProtocol {
    static let httpBased: Set<String> = ["http", "http2", "grpc"]

    static func isHTTPBased(_ protocolName: String) -> Bool { httpBased.contains(protocolName) }
}
