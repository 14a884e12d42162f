import CaravanProto
import CaravanRPC
import SwiftProtobuf

extension ClusterState {
    /// Writes or deletes one intention or config entry, as meshd validated it. The state machine re-checks only
    /// what must hold whatever meshd thought (ids present, one intention per pair, the check-and-set index), so a
    /// stale meshd cannot store a duplicate or overwrite a concurrent change.
    mutating func applyMesh(
        _ request: Caravan_V1_ApplyMeshStateRequest, index: UInt64, time: Google_Protobuf_Timestamp
    ) throws {
        switch request.op {
        case .upsertIntention(let intention)?:
            try upsertIntention(intention, checkIndex: request.hasCheckIndex ? request.checkIndex : nil, index, time)
        case .deleteIntentionID(let id)?:
            guard let existing = mesh.intentions[id] else { throw CaravanError.notFound("no intention with id \(id)") }
            try Self.check(request, existing: existing.modifyIndex, what: "intention \(id)")
            mesh.intentions[id] = nil
            mesh.record(MeshStateKey.intentions(existing.destinationName), at: index)
            touch(.intentions, at: index)
        case .upsertConfigEntry(let entry)?:
            try upsertConfigEntry(entry, checkIndex: request.hasCheckIndex ? request.checkIndex : nil, index)
        case .deleteConfigEntry(let ref)?:
            let key = MeshTables.entryKey(kind: ref.kind, name: ref.name)
            guard let existing = mesh.configEntries[key] else {
                throw CaravanError.notFound("no \(ref.kind) config entry named \"\(ref.name)\"")
            }
            try Self.check(request, existing: existing.modifyIndex, what: "\(ref.kind)/\(ref.name)")
            mesh.configEntries[key] = nil
            mesh.record(MeshStateKey.config(kind: ref.kind, name: ref.name), at: index)
            touch(.configEntries, at: index)
        case nil:
            throw CaravanError.invalidArgument("mesh write without an operation; nothing applied")
        }
    }

    private mutating func upsertIntention(
        _ intention: Caravan_V1_Intention, checkIndex: UInt64?, _ index: UInt64, _ time: Google_Protobuf_Timestamp
    ) throws {
        var intention = intention
        guard !intention.id.isEmpty, !intention.sourceName.isEmpty, !intention.destinationName.isEmpty else {
            throw CaravanError.invalidArgument("an intention needs an id, a source and a destination")
        }
        let existing = mesh.intentions[intention.id]
        if let checkIndex {
            let current = existing?.modifyIndex ?? 0
            guard current == checkIndex else {
                throw CaravanError(
                    .failedPrecondition,
                    "intention \(intention.id) is at index \(current), not \(checkIndex); re-read and retry")
            }
        }
        if let existing,
            existing.sourceName != intention.sourceName || existing.destinationName != intention.destinationName
        {
            throw CaravanError.invalidArgument(
                "intention \(intention.id) is \(existing.sourceName) => \(existing.destinationName); its source and "
                    + "destination cannot change")
        }
        if let other = mesh.intention(source: intention.sourceName, destination: intention.destinationName),
            other.id != intention.id
        {
            throw CaravanError(
                .alreadyExists,
                "an intention \(other.sourceName) => \(other.destinationName) already exists (\(other.id))")
        }
        intention.createIndex = existing?.createIndex ?? index
        intention.createdAt = existing?.createdAt ?? time
        intention.modifyIndex = index
        intention.updatedAt = time
        mesh.intentions[intention.id] = intention
        mesh.record(MeshStateKey.intentions(intention.destinationName), at: index)
        touch(.intentions, at: index)
    }

    private mutating func upsertConfigEntry(_ entry: Caravan_V1_ConfigEntry, checkIndex: UInt64?, _ index: UInt64)
        throws
    {
        var entry = entry
        guard !entry.kind.isEmpty, !entry.name.isEmpty, entry.body != nil else {
            throw CaravanError.invalidArgument("a config entry needs a kind, a name and a body")
        }
        let key = MeshTables.entryKey(kind: entry.kind, name: entry.name)
        let existing = mesh.configEntries[key]
        if let checkIndex {
            let current = existing?.modifyIndex ?? 0
            guard current == checkIndex else {
                throw CaravanError(
                    .failedPrecondition,
                    "\(entry.kind)/\(entry.name) is at index \(current), not \(checkIndex); re-read and retry")
            }
        }
        entry.createIndex = existing?.createIndex ?? index
        entry.modifyIndex = index
        if entry.namespace.isEmpty { entry.namespace = "default" }
        mesh.configEntries[key] = entry
        mesh.record(MeshStateKey.config(kind: entry.kind, name: entry.name), at: index)
        touch(.configEntries, at: index)
    }

    private static func check(_ request: Caravan_V1_ApplyMeshStateRequest, existing: UInt64, what: String) throws {
        guard request.hasCheckIndex, request.checkIndex != existing else { return }
        throw CaravanError(
            .failedPrecondition, "\(what) is at index \(existing), not \(request.checkIndex); re-read and retry")
    }
}
