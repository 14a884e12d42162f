import CaravanProto

/// Turns a `service-intentions` config entry into the intentions it defines, one per source.
///
/// The entry's name is every intention's destination. IDs are derived from the names, so every meshd replica
/// gives the same source the same ID without storing one.
public enum ServiceIntentionsConversion {
    /// The ID of the intention `source → destination` defined by a service-intentions entry.
    public static func id(destination: String, source: String) -> String {
        "config:\(destination):\(source)"
    }

    /// The intentions `entry` defines; none when it is not a service-intentions entry.
    public static func intentions(from entry: Caravan_V1_ConfigEntry) -> [Caravan_V1_Intention] {
        guard case .serviceIntentions(let body)? = entry.body else { return [] }
        return body.sources.map { intention(from: $0, of: entry) }
    }

    static func intention(from source: Caravan_V1_SourceIntention, of entry: Caravan_V1_ConfigEntry)
        -> Caravan_V1_Intention
    {
        var intention = Caravan_V1_Intention()
        intention.id =
            source.legacyID.isEmpty ? id(destination: entry.name, source: source.name) : source.legacyID
        intention.sourceName = source.name
        intention.sourceNamespace = source.namespace
        intention.destinationName = entry.name
        intention.destinationNamespace = entry.namespace
        intention.action = source.action
        intention.permissions = source.permissions
        intention.description_p = source.description_p
        // The entry's meta describes all of its sources; a source's own keys win.
        intention.meta = entry.meta.merging(source.meta) { _, own in own }
        intention.createIndex = entry.createIndex
        intention.modifyIndex = entry.modifyIndex
        return IntentionNormalization.normalized(intention)
    }
}
