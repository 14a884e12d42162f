import CaravanProto
import CaravanRPC
import GRPCCore

/// Serves `caravan.v1.DiscoveryChain` (`ctl mesh chain`): the compiled chain of a service from this replica's
/// view, as proxies get it (`Show`) or with what-if overrides (`Compile`).
public struct DiscoveryChainService: Caravan_V1_DiscoveryChain.SimpleServiceProtocol {
    let backend: MeshBackend

    init(backend: MeshBackend) {
        self.backend = backend
    }

    public func compile(request: Caravan_V1_CompileDiscoveryChainRequest, context: ServerContext) async throws
        -> Caravan_V1_CompileDiscoveryChainResponse
    {
        try await respond(request, overrides: true)
    }

    public func show(request: Caravan_V1_CompileDiscoveryChainRequest, context: ServerContext) async throws
        -> Caravan_V1_CompileDiscoveryChainResponse
    {
        guard request.overrideProtocol.isEmpty, !request.hasOverrideConnectTimeout else {
            throw CaravanError.invalidArgument("Show serves the chain proxies get; use Compile for overrides")
        }
        return try await respond(request, overrides: false)
    }

    private func respond(_ request: Caravan_V1_CompileDiscoveryChainRequest, overrides: Bool) async throws
        -> Caravan_V1_CompileDiscoveryChainResponse
    {
        guard !request.service.isEmpty else { throw CaravanError.invalidArgument("no service named") }
        let (view, meta) = try await backend.read(request.query)
        let compileRequest = ChainCompileRequest(
            service: request.service,
            datacenter: request.datacenter.isEmpty ? backend.settings.datacenter : request.datacenter,
            trustDomain: view.roots.trustDomain,
            overrideProtocol: overrides && !request.overrideProtocol.isEmpty ? request.overrideProtocol : nil,
            overrideConnectTimeout: overrides && request.hasOverrideConnectTimeout
                ? .milliseconds(Int64(request.overrideConnectTimeout.timeInterval * 1000)) : nil)
        do {
            let compiled = try DiscoveryChainCompiler.compile(
                compileRequest, in: MeshConfigGraph(entries: view.allConfigEntries))
            return .with {
                $0.chain = compiled.chain
                $0.meta = meta
            }
        } catch {
            throw CaravanError.failedPrecondition("the chain of \(request.service) does not compile: \(error)")
        }
    }
}
