import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore

/// Serves `caravan.v1.Intentions` (`ctl intention ...`): validates and writes intentions through the servers, and
/// answers reads, matches and checks from this replica's view, where service-intentions entries count as
/// intentions too.
public struct IntentionsService: Caravan_V1_Intentions.SimpleServiceProtocol {
    let backend: MeshBackend

    init(backend: MeshBackend) {
        self.backend = backend
    }

    public func create(request: Caravan_V1_CreateIntentionRequest, context: ServerContext) async throws
        -> Caravan_V1_CreateIntentionResponse
    {
        let view = try backend.currentView()
        var intention = IntentionNormalization.normalized(request.intention)
        let set = IntentionSet(stored: view.allIntentions, configEntries: view.allConfigEntries)
        let graph = MeshConfigGraph(entries: view.allConfigEntries)
        var problems = IntentionValidator.validate(
            intention, destinationProtocol: graph.protocolOf(intention.destinationName))
        if let conflict = set.conflict(writing: intention) { problems.append(conflict) }
        guard problems.isEmpty else {
            throw CaravanError.invalidArgument(problems.joined(separator: "\n"))
        }
        var write = Caravan_V1_ApplyMeshStateRequest()
        if let existing = view.allIntentions.first(where: {
            $0.sourceName == intention.sourceName && $0.destinationName == intention.destinationName
        }) {
            guard request.replace else {
                throw CaravanError(
                    .alreadyExists,
                    "an intention \(intention.sourceName) => \(intention.destinationName) already exists "
                        + "(\(existing.id)); use -replace to replace it")
            }
            intention.id = existing.id
            write.checkIndex = existing.modifyIndex
        } else {
            intention.id = UUID().uuidString.lowercased()
            write.checkIndex = 0
        }
        intention.precedence = IntentionPrecedence.value(of: intention)
        write.upsertIntention = intention
        let meta = try await backend.write(write)
        return .with {
            $0.id = intention.id
            $0.meta = meta
        }
    }

    public func delete(request: Caravan_V1_DeleteIntentionRequest, context: ServerContext) async throws
        -> Caravan_V1_DeleteIntentionResponse
    {
        let view = try backend.currentView()
        let set = IntentionSet(stored: view.allIntentions, configEntries: view.allConfigEntries)
        let target = try Self.find(request.selector, in: set)
        guard let stored = view.intentions[target.id] else {
            throw CaravanError.failedPrecondition(
                "intention \(target.sourceName) => \(target.destinationName) is defined by the service-intentions "
                    + "entry for \(target.destinationName); change or delete that entry instead")
        }
        var write = Caravan_V1_ApplyMeshStateRequest()
        write.deleteIntentionID = stored.id
        write.checkIndex = stored.modifyIndex
        let meta = try await backend.write(write)
        return .with { $0.meta = meta }
    }

    public func list(request: Caravan_V1_ListIntentionsRequest, context: ServerContext) async throws
        -> Caravan_V1_ListIntentionsResponse
    {
        let (view, meta) = try await backend.read(request.query)
        return .with {
            $0.intentions = IntentionSet(stored: view.allIntentions, configEntries: view.allConfigEntries).all
            $0.meta = meta
        }
    }

    public func get(request: Caravan_V1_GetIntentionRequest, context: ServerContext) async throws
        -> Caravan_V1_GetIntentionResponse
    {
        let (view, meta) = try await backend.read(request.query)
        let set = IntentionSet(stored: view.allIntentions, configEntries: view.allConfigEntries)
        let selector: Caravan_V1_DeleteIntentionRequest.OneOf_Selector? =
            switch request.selector {
            case .id(let id)?: .id(id)
            case .pair(let pair)?: .pair(pair)
            case nil: nil
            }
        let intention = try Self.find(selector, in: set)
        return .with {
            $0.intention = intention
            $0.meta = meta
        }
    }

    public func match(request: Caravan_V1_MatchIntentionsRequest, context: ServerContext) async throws
        -> Caravan_V1_MatchIntentionsResponse
    {
        guard let side = IntentionSet.MatchBy(request.by) else {
            throw CaravanError.invalidArgument("match needs by = source or destination")
        }
        guard !request.name.isEmpty else { throw CaravanError.invalidArgument("match needs a service name") }
        let (view, meta) = try await backend.read(request.query)
        let set = IntentionSet(stored: view.allIntentions, configEntries: view.allConfigEntries)
        return .with {
            $0.intentions = set.match(by: side, name: request.name)
            $0.meta = meta
        }
    }

    public func check(request: Caravan_V1_CheckIntentionRequest, context: ServerContext) async throws
        -> Caravan_V1_CheckIntentionResponse
    {
        guard !request.sourceName.isEmpty, !request.destinationName.isEmpty else {
            throw CaravanError.invalidArgument("check needs a source and a destination service")
        }
        let (view, meta) = try await backend.read(request.query)
        let set = IntentionSet(stored: view.allIntentions, configEntries: view.allConfigEntries)
        var response = set.check(
            source: request.sourceName, destination: request.destinationName,
            http: request.hasHTTP ? request.http : nil, defaultAllow: backend.settings.defaultAllow
        ).toProto()
        response.meta = meta
        return response
    }

    /// The intention an id (or unique id prefix) or a source/destination pair names.
    static func find(_ selector: Caravan_V1_DeleteIntentionRequest.OneOf_Selector?, in set: IntentionSet) throws
        -> Caravan_V1_Intention
    {
        switch selector {
        case .id(let id)?:
            if let exact = set.intention(id: id) { return exact }
            let matches = set.all.filter { !id.isEmpty && $0.id.hasPrefix(id) }
            guard matches.count == 1, let only = matches.first else {
                throw matches.isEmpty
                    ? CaravanError.notFound("no intention with id or prefix \"\(id)\"")
                    : CaravanError.invalidArgument("prefix \"\(id)\" matches \(matches.count) intentions")
            }
            return only
        case .pair(let pair)?:
            guard let found = set.intentions(source: pair.sourceName, destination: pair.destinationName).first else {
                throw CaravanError.notFound("no intention \(pair.sourceName) => \(pair.destinationName)")
            }
            return found
        case nil:
            throw CaravanError.invalidArgument("name an intention by id or by source and destination")
        }
    }
}
