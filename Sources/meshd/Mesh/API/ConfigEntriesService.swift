import CaravanProto
import CaravanRPC
import GRPCCore
import Spec

/// Serves `caravan.v1.ConfigEntries` (`ctl config ...`): every write is validated on its own (as the file
/// decoder does) and against the whole graph before it goes to the servers; nothing partial is stored.
public struct ConfigEntriesService: Caravan_V1_ConfigEntries.SimpleServiceProtocol {
    let backend: MeshBackend

    init(backend: MeshBackend) {
        self.backend = backend
    }

    public func apply(request: Caravan_V1_ApplyConfigEntryRequest, context: ServerContext) async throws
        -> Caravan_V1_ApplyConfigEntryResponse
    {
        var entry = request.entry
        if entry.namespace.isEmpty { entry.namespace = "default" }
        let place = Self.position(entry.sourcePosition)
        var problems = ConfigEntryShape.problems(entry)
        if problems.isEmpty {
            problems = ConfigEntryWriteCheck.problems(
                writing: entry, view: try backend.currentView(), settings: backend.settings)
        }
        guard problems.isEmpty else {
            throw CaravanError.invalidArgument(problems.map { place + $0 }.joined(separator: "\n"))
        }
        var write = Caravan_V1_ApplyMeshStateRequest()
        write.upsertConfigEntry = entry
        if request.hasCheckIndex { write.checkIndex = request.checkIndex }
        let meta = try await backend.write(write)
        return .with { $0.meta = meta }
    }

    public func get(request: Caravan_V1_GetConfigEntryRequest, context: ServerContext) async throws
        -> Caravan_V1_GetConfigEntryResponse
    {
        let (view, meta) = try await backend.read(request.query)
        guard let entry = view.configEntry(kind: request.kind, name: request.name) else {
            throw CaravanError.notFound("no \(request.kind) config entry named \"\(request.name)\"")
        }
        return .with {
            $0.entry = entry
            $0.meta = meta
        }
    }

    public func list(request: Caravan_V1_ListConfigEntriesRequest, context: ServerContext) async throws
        -> Caravan_V1_ListConfigEntriesResponse
    {
        if !request.kind.isEmpty, !ConfigEntrySpec.supportedKinds.contains(request.kind) {
            throw CaravanError.invalidArgument(
                "unsupported kind \"\(request.kind)\"; one of: "
                    + ConfigEntrySpec.supportedKinds.joined(separator: ", "))
        }
        let (view, meta) = try await backend.read(request.query)
        return .with {
            $0.entries = view.allConfigEntries.filter { request.kind.isEmpty || $0.kind == request.kind }
            $0.meta = meta
        }
    }

    public func delete(request: Caravan_V1_DeleteConfigEntryRequest, context: ServerContext) async throws
        -> Caravan_V1_DeleteConfigEntryResponse
    {
        let view = try backend.currentView()
        guard let existing = view.configEntry(kind: request.kind, name: request.name) else {
            throw CaravanError.notFound("no \(request.kind) config entry named \"\(request.name)\"")
        }
        let problems = ConfigEntryWriteCheck.problems(
            deleting: request.kind, name: request.name, view: view, settings: backend.settings)
        guard problems.isEmpty else {
            throw CaravanError.failedPrecondition(
                "deleting \(request.kind)/\(request.name) would break the mesh:\n" + problems.joined(separator: "\n"))
        }
        var write = Caravan_V1_ApplyMeshStateRequest()
        write.deleteConfigEntry = .with {
            $0.kind = existing.kind
            $0.name = existing.name
            $0.namespace = existing.namespace
        }
        if request.hasCheckIndex { write.checkIndex = request.checkIndex }
        let meta = try await backend.write(write)
        return .with { $0.meta = meta }
    }

    /// "file:line:col: " when the entry says where it was read from.
    static func position(_ position: Caravan_V1_SourcePosition) -> String {
        guard !position.file.isEmpty else { return "" }
        return "\(position.file):\(position.line):\(position.column): "
    }
}
