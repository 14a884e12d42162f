import CaravanProto

/// What every snapshot built from one view shares, computed once per rebuild instead of once per proxy: the
/// intention set, the config graph and the compiled chains by destination. Not thread-safe: one rebuild uses it.
public final class SnapshotInputs {
    let view: MeshView
    let settings: MeshSettings
    let intentions: IntentionSet
    let graph: MeshConfigGraph
    private var chains: [String: Result<CompiledChain, ChainCompileError>] = [:]

    public init(view: MeshView, settings: MeshSettings) {
        self.view = view
        self.settings = settings
        let entries = view.allConfigEntries
        intentions = IntentionSet(stored: view.allIntentions, configEntries: entries)
        graph = MeshConfigGraph(entries: entries)
    }

    var trustDomain: String { view.roots.trustDomain }

    /// The chain for `destination`, compiled once per rebuild.
    func chain(for destination: String) -> Result<CompiledChain, ChainCompileError> {
        if let cached = chains[destination] { return cached }
        let request = ChainCompileRequest(
            service: destination, datacenter: settings.datacenter, trustDomain: trustDomain)
        let result: Result<CompiledChain, ChainCompileError>
        do {
            result = .success(try DiscoveryChainCompiler.compile(request, in: graph))
        } catch {
            result = .failure(error)
        }
        chains[destination] = result
        return result
    }
}
