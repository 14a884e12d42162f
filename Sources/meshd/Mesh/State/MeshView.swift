import CaravanProto
import CaravanRPC

/// meshd's copy of the mesh state, built from `MeshState.Watch` frames: instances by service, intentions, config
/// entries, the CA roots, and the Raft index of each dependency key's last change. A value: every reader gets a
/// consistent copy while the follower applies the next frame to its own.
public struct MeshView: Sendable {
    public private(set) var index: UInt64 = 0
    public private(set) var instancesByService: [String: [Caravan_V1_ServiceInstance]] = [:]
    public private(set) var intentions: [String: Caravan_V1_Intention] = [:]
    /// By "<kind>/<name>".
    public private(set) var configEntries: [String: Caravan_V1_ConfigEntry] = [:]
    public private(set) var roots = Caravan_V1_CARootSet()
    public private(set) var keyIndexes: [String: UInt64] = [:]
    /// False until the first snapshot frame arrived: nothing is served from an empty view.
    public private(set) var isReady = false

    public init() {}

    /// Applies one frame; returns the keys it changed (every key for a snapshot, including ones that vanished).
    @discardableResult
    public mutating func apply(_ frame: Caravan_V1_MeshStateEvent) -> Set<String> {
        var changed = Set(frame.keyIndexes.keys)
        if frame.snapshot {
            changed.formUnion(keyIndexes.keys)
            self = MeshView()
            isReady = true
        }
        let instances = Dictionary(grouping: frame.instances, by: \.name)
        let intentionsByDestination = Dictionary(grouping: frame.intentions, by: \.destinationName)
        let entries = Dictionary(
            frame.configEntries.map { (Self.entryKey(kind: $0.kind, name: $0.name), $0) },
            uniquingKeysWith: { _, last in last })
        for (key, keyIndex) in frame.keyIndexes {
            keyIndexes[key] = keyIndex
            guard let (family, name) = MeshStateKey.parse(key) else { continue }
            switch family {
            case "catalog":
                instancesByService[name] = instances[name]?.sorted { $0.id < $1.id }
            case "intentions":
                for (id, intention) in intentions where intention.destinationName == name { self.intentions[id] = nil }
                for intention in intentionsByDestination[name] ?? [] { self.intentions[intention.id] = intention }
            case "config":
                configEntries[name] = entries[name]
            case "roots":
                roots = frame.roots
            default:
                continue
            }
        }
        index = max(index, frame.index)
        return changed
    }

    public func configEntry(kind: String, name: String) -> Caravan_V1_ConfigEntry? {
        configEntries[Self.entryKey(kind: kind, name: name)]
    }

    public var allConfigEntries: [Caravan_V1_ConfigEntry] {
        configEntries.keys.sorted().compactMap { configEntries[$0] }
    }

    public var allIntentions: [Caravan_V1_Intention] { intentions.keys.sorted().compactMap { intentions[$0] } }

    public func instances(of service: String) -> [Caravan_V1_ServiceInstance] { instancesByService[service] ?? [] }

    /// The highest change index among `keys` (0 for keys never changed).
    public func version(of keys: Set<String>) -> UInt64 {
        keys.reduce(0) { max($0, keyIndexes[$1] ?? 0) }
    }

    static func entryKey(kind: String, name: String) -> String { "\(kind)/\(name)" }
}
