import CaravanProto
import State

/// Turns validated API requests into the commands the state machine applies, and reads into response metadata.
enum VariableRequests {
    /// What to propose for a put: only what the caller decides (path, namespace, items, check index). Indexes and
    /// times a caller may have sent are dropped; the state machine sets them.
    static func put(_ request: Caravan_V1_PutVariableRequest) -> Caravan_V1_PutVariableRequest {
        var proposal = Caravan_V1_PutVariableRequest()
        proposal.variable.path = request.variable.path
        proposal.variable.namespace = VariableNamespace.normalized(request.variable.namespace)
        proposal.variable.items = request.variable.items
        if request.hasCheckIndex { proposal.checkIndex = request.checkIndex }
        return proposal
    }

    /// What to propose for a delete, with the namespace spelled out.
    static func delete(_ request: Caravan_V1_DeleteVariableRequest) -> Caravan_V1_DeleteVariableRequest {
        var proposal = Caravan_V1_DeleteVariableRequest()
        proposal.path = request.path
        proposal.namespace = VariableNamespace.normalized(request.namespace)
        if request.hasCheckIndex { proposal.checkIndex = request.checkIndex }
        return proposal
    }

    static func notFoundMessage(path: String, namespace: String) -> String {
        let name = VariableNamespace.normalized(namespace)
        return name == VariableNamespace.defaultName
            ? "variable \"\(path)\" not found" : "variable \"\(path)\" not found in namespace \"\(name)\""
    }

    static func writeMeta(_ index: UInt64) -> Caravan_V1_WriteMeta {
        var meta = Caravan_V1_WriteMeta()
        meta.index = index
        return meta
    }

    static func queryMeta<Value>(_ read: ReadResult<Value>) -> Caravan_V1_QueryMeta {
        var meta = Caravan_V1_QueryMeta()
        meta.index = read.index
        meta.knownLeader = read.knownLeader
        return meta
    }
}
