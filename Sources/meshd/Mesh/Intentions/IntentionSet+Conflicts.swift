import CaravanProto

/// A pair of services may be defined as a stored intention or as a source of a service-intentions entry, never both:
/// otherwise editing one would silently leave the other in force. meshd asks before every write.
extension IntentionSet {
    /// Why `intention` (about to be stored) may not be written, or nil when no service-intentions entry defines its
    /// pair already. A stored intention for the same pair is not a conflict: Create replaces it or reports it.
    public func conflict(writing intention: Caravan_V1_Intention) -> String? {
        let source = intention.sourceName
        let destination = intention.destinationName
        let defined = indexes(source: source, destination: destination).contains { origins[$0] == .configEntry }
        guard defined else { return nil }
        return "intention \(IntentionText.pair(source, destination)) is already defined by the service-intentions "
            + "entry for \(destination); change the entry instead"
    }

    /// Why the service-intentions `entry` (about to be written, replacing any entry of the same name) may not be
    /// written: one message per source that a stored intention already defines.
    public func conflicts(writing entry: Caravan_V1_ConfigEntry) -> [String] {
        guard case .serviceIntentions(let body)? = entry.body else { return [] }
        var messages: [String] = []
        for (index, source) in body.sources.enumerated() {
            let stored = indexes(source: source.name, destination: entry.name).filter { origins[$0] == .stored }
            guard let first = stored.first else { continue }
            messages.append(
                "sources[\(index)]: intention \(IntentionText.pair(source.name, entry.name)) is already defined "
                    + "as a stored intention (ID \(all[first].id)); delete it before adding it to this entry")
        }
        return messages
    }

    /// Pairs defined both ways in the current state (which writes checked with the two methods above never create),
    /// for diagnostics.
    public func conflicts() -> [String] {
        var messages: [String] = []
        var reported: Set<Pair> = []
        for (index, intention) in all.enumerated() where origins[index] == .stored {
            let pair = Pair(source: intention.sourceName, destination: intention.destinationName)
            guard !reported.contains(pair), let message = conflict(writing: intention) else { continue }
            reported.insert(pair)
            messages.append(message)
        }
        return messages
    }
}
