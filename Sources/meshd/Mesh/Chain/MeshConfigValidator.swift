import CaravanProto

/// Checks a config entry write or delete against the whole graph before it commits, so no chain that worked
/// before the change fails to compile after it.
public enum MeshConfigValidator {
    /// Problems writing `entry` would cause anywhere in the graph (empty = accept).
    public static func problems(
        writing entry: Caravan_V1_ConfigEntry, into graph: MeshConfigGraph, datacenter: String, trustDomain: String
    ) -> [String] {
        var problems = subsetFilterProblems(entry)
        var services = MeshConfigGraph(entries: [entry]).namedServices
        if !entry.name.isEmpty && entry.name != "*" { services.insert(entry.name) }
        problems += chainProblems(
            before: graph, after: graph.replacing(entry), changed: ConfigEntryKey(kind: entry.kind, name: entry.name),
            alsoCompiling: services, datacenter: datacenter, trustDomain: trustDomain)
        return unique(problems)
    }

    /// Problems deleting the entry would cause anywhere in the graph (empty = accept).
    public static func problems(
        deleting kind: String, name: String, from graph: MeshConfigGraph, datacenter: String, trustDomain: String
    ) -> [String] {
        unique(
            chainProblems(
                before: graph, after: graph.removing(kind: kind, name: name),
                changed: ConfigEntryKey(kind: kind, name: name), alsoCompiling: [name], datacenter: datacenter,
                trustDomain: trustDomain))
    }

    /// Every subset filter of a resolver must parse, whether or not a chain uses the subset yet.
    static func subsetFilterProblems(_ entry: Caravan_V1_ConfigEntry) -> [String] {
        guard case .serviceResolver(let resolver) = entry.body else { return [] }
        var problems: [String] = []
        for name in resolver.subsets.keys.sorted() {
            guard let subset = resolver.subsets[name] else { continue }
            do {
                _ = try SubsetFilter(parsing: subset.filter)
            } catch {
                problems.append(
                    ChainCompileError.invalidSubsetFilter(service: entry.name, subset: name, error: error).description)
            }
        }
        return problems
    }

    /// Compiles every chain the change could involve; a chain's failure counts when the chain consulted the
    /// changed entry and did not already fail the same way before the change (so fixing a broken graph one
    /// entry at a time stays possible).
    static func chainProblems(
        before: MeshConfigGraph, after: MeshConfigGraph, changed: ConfigEntryKey, alsoCompiling: Set<String>,
        datacenter: String, trustDomain: String
    ) -> [String] {
        let services = before.namedServices.union(after.namedServices).union(alsoCompiling)
        var problems: [String] = []
        for service in services.sorted() {
            let request = ChainCompileRequest(service: service, datacenter: datacenter, trustDomain: trustDomain)
            let (result, consulted) = DiscoveryChainCompiler.compileRecordingLookups(request, in: after)
            guard case .failure(let error) = result, consulted.contains(changed) else { continue }
            if case .failure(let previous) = DiscoveryChainCompiler.compileRecordingLookups(request, in: before).result,
                previous == error
            {
                continue
            }
            problems.append(error.description)
        }
        return problems
    }

    private static func unique(_ problems: [String]) -> [String] {
        var seen = Set<String>()
        return problems.filter { seen.insert($0).inserted }
    }
}
