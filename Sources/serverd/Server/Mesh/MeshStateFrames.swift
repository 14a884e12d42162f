import CaravanProto
import CaravanRPC
import State

/// Builds `MeshState.Watch` frames from the mesh tables: for every dependency key changed after an index (or every
/// key, for a snapshot), its complete current content. Pure.
enum MeshStateFrames {
    static func frame(
        _ mesh: MeshTables, after: UInt64?, families: Set<Caravan_V1_MeshTable>, index: UInt64
    ) -> Caravan_V1_MeshStateEvent {
        var event = Caravan_V1_MeshStateEvent()
        event.index = index
        event.snapshot = after == nil
        let watchesAll = families.isEmpty
        var intentionsByDestination: [String: [Caravan_V1_Intention]]?
        for (key, keyIndex) in mesh.keyIndexes.sorted(by: { $0.key < $1.key }) {
            if let after, keyIndex <= after { continue }
            guard let (family, name) = MeshStateKey.parse(key) else { continue }
            switch family {
            case "catalog" where watchesAll || families.contains(.catalog):
                event.instances += mesh.instances(of: name)
            case "intentions" where watchesAll || families.contains(.intentions):
                if intentionsByDestination == nil {
                    intentionsByDestination = Dictionary(grouping: mesh.allIntentions, by: \.destinationName)
                }
                event.intentions += intentionsByDestination?[name] ?? []
            case "config" where watchesAll || families.contains(.configEntries):
                let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
                if parts.count == 2, let entry = mesh.configEntry(kind: parts[0], name: parts[1]) {
                    event.configEntries.append(entry)
                }
            case "roots" where watchesAll || families.contains(.caRoots):
                event.roots = mesh.rootSet
            default:
                continue
            }
            event.keyIndexes[key] = keyIndex
        }
        return event
    }

    /// The state tables behind the watched families.
    static func tables(for families: Set<Caravan_V1_MeshTable>) -> Set<StateTable> {
        if families.isEmpty { return [.catalog, .intentions, .configEntries, .connectCA] }
        var tables: Set<StateTable> = []
        for family in families {
            switch family {
            case .catalog: tables.insert(.catalog)
            case .intentions: tables.insert(.intentions)
            case .configEntries: tables.insert(.configEntries)
            case .caRoots: tables.insert(.connectCA)
            default: continue
            }
        }
        return tables
    }
}
