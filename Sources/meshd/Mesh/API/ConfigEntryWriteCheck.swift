import CaravanProto

/// Everything a config entry write or delete must not break, judged against the whole graph as it would be
/// afterwards: every discovery chain still compiles, intentions stay valid (L7 permissions need an HTTP-based
/// destination), and no intention pair is defined twice. Pure.
enum ConfigEntryWriteCheck {
    static func problems(writing entry: Caravan_V1_ConfigEntry, view: MeshView, settings: MeshSettings) -> [String] {
        let entries = view.allConfigEntries
        let graph = MeshConfigGraph(entries: entries)
        var problems = MeshConfigValidator.problems(
            writing: entry, into: graph, datacenter: settings.datacenter, trustDomain: view.roots.trustDomain)
        let after = graph.replacing(entry)
        if case .serviceIntentions? = entry.body {
            problems += IntentionValidator.validate(
                serviceIntentions: entry, destinationProtocol: after.protocolOf(entry.name))
            let others = entries.filter { !($0.kind == entry.kind && $0.name == entry.name) }
            problems += IntentionSet(stored: view.allIntentions, configEntries: others).conflicts(writing: entry)
        }
        let remaining = entries.filter { !($0.kind == entry.kind && $0.name == entry.name) } + [entry]
        problems += l7Problems(view: view, entries: remaining, graph: after)
        return unique(problems)
    }

    static func problems(deleting kind: String, name: String, view: MeshView, settings: MeshSettings) -> [String] {
        let entries = view.allConfigEntries
        let graph = MeshConfigGraph(entries: entries)
        var problems = MeshConfigValidator.problems(
            deleting: kind, name: name, from: graph, datacenter: settings.datacenter,
            trustDomain: view.roots.trustDomain)
        let remaining = entries.filter { !($0.kind == kind && $0.name == name) }
        problems += l7Problems(view: view, entries: remaining, graph: graph.removing(kind: kind, name: name))
        return unique(problems)
    }

    /// Intentions with L7 permissions whose destination would no longer speak an HTTP-based protocol.
    static func l7Problems(view: MeshView, entries: [Caravan_V1_ConfigEntry], graph: MeshConfigGraph) -> [String] {
        IntentionSet(stored: view.allIntentions, configEntries: entries).all.compactMap { intention in
            guard !intention.permissions.isEmpty, intention.destinationName != "*" else { return nil }
            let spoken = graph.protocolOf(intention.destinationName)
            guard !IntentionValidator.isHTTPBased(spoken) else { return nil }
            return "intention \(intention.sourceName) => \(intention.destinationName) has L7 permissions, which need "
                + "an HTTP-based protocol, but \(intention.destinationName) would speak \(spoken)"
        }
    }

    static func unique(_ problems: [String]) -> [String] {
        var seen: Set<String> = []
        return problems.filter { seen.insert($0).inserted }
    }
}
