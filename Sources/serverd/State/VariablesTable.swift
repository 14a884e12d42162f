import CaravanProto
import CaravanRPC
import SwiftProtobuf

/// Every variable, by namespace and path: the table the state machine changes when it applies variable commands.
///
/// A value type, so a read gets a consistent copy for free and a write is all-or-nothing: each mutation checks
/// everything it needs before it touches storage. Listing sorts on demand (fine at the sizes variables have;
/// an ordered index can replace the dictionary without changing this API).
public struct VariablesTable: Sendable, Equatable {
    private var byNamespace: [String: [String: Caravan_V1_Variable]] = [:]

    public init() {}

    /// Builds a table from a snapshot's variables; throws DATA_LOSS when two share a namespace and path.
    init(restoring variables: [Caravan_V1_Variable]) throws {
        for variable in variables {
            let namespace = VariableNamespace.normalized(variable.namespace)
            guard !variable.path.isEmpty else {
                throw CaravanError(.dataLoss, "snapshot holds a variable without a path in namespace \"\(namespace)\"")
            }
            guard byNamespace[namespace]?[variable.path] == nil else {
                throw CaravanError(.dataLoss, "snapshot holds variable \"\(variable.path)\" twice in \"\(namespace)\"")
            }
            var stored = variable
            stored.namespace = namespace
            byNamespace[namespace, default: [:]][variable.path] = stored
        }
    }

    /// How many variables the table holds, across namespaces.
    public var count: Int { byNamespace.values.reduce(0) { $0 + $1.count } }

    /// Every variable, sorted by namespace then path (the order snapshots are written in).
    public var all: [Caravan_V1_Variable] {
        byNamespace.keys.sorted().flatMap { namespace in
            let paths = byNamespace[namespace] ?? [:]
            return paths.keys.sorted().compactMap { paths[$0] }
        }
    }

    /// The variable at `path` in `namespace` ("" = "default"), with its items.
    public func variable(path: String, namespace: String) -> Caravan_V1_Variable? {
        byNamespace[VariableNamespace.normalized(namespace)]?[path]
    }

    /// Metadata of the variables in `namespace` whose path starts with `prefix`, sorted by path.
    ///
    /// Starts at the first path not before `start` (a previous page's `nextToken`) and returns at most `limit`
    /// (0 = all); `nextToken` is the path the next page starts at, "" after the last page.
    public func list(namespace: String, prefix: String = "", start: String = "", limit: Int = 0) -> VariablePage {
        let paths = byNamespace[VariableNamespace.normalized(namespace)] ?? [:]
        let matching = paths.keys.filter { $0.hasPrefix(prefix) && $0 >= start }.sorted()
        let taken = limit > 0 ? Array(matching.prefix(limit)) : matching
        let nextToken = taken.count < matching.count ? matching[taken.count] : ""
        let variables = taken.compactMap { paths[$0].map(Caravan_V1_VariableMetadata.init(describing:)) }
        return VariablePage(variables: variables, nextToken: nextToken)
    }

    /// Creates or replaces a variable at Raft `index`, stamped with `time`; returns it as stored.
    ///
    /// Throws INVALID_ARGUMENT for a bad path, namespace or items and FAILED_PRECONDITION when `check_index` is
    /// set and does not match; the table is unchanged when it throws.
    mutating func put(
        _ request: Caravan_V1_PutVariableRequest,
        index: UInt64,
        time: Google_Protobuf_Timestamp
    ) throws -> Caravan_V1_Variable {
        let input = request.variable
        try VariableValidation.validatePut(path: input.path, namespace: input.namespace, items: input.items)
        let namespace = VariableNamespace.normalized(input.namespace)
        let existing = byNamespace[namespace]?[input.path]
        if request.hasCheckIndex {
            try Self.check(request.checkIndex, against: existing, path: input.path)
        }
        var stored = Caravan_V1_Variable()
        stored.path = input.path
        stored.namespace = namespace
        stored.items = input.items
        stored.createIndex = existing?.createIndex ?? index
        stored.createTime = existing?.createTime ?? time
        stored.modifyIndex = index
        stored.modifyTime = time
        byNamespace[namespace, default: [:]][input.path] = stored
        return stored
    }

    /// Removes a variable. Removing a missing one succeeds (deletes are idempotent) unless `check_index` says
    /// otherwise; the table is unchanged when it throws.
    mutating func delete(_ request: Caravan_V1_DeleteVariableRequest) throws {
        try VariableValidation.validateAddress(path: request.path, namespace: request.namespace)
        let namespace = VariableNamespace.normalized(request.namespace)
        let existing = byNamespace[namespace]?[request.path]
        if request.hasCheckIndex {
            try Self.check(request.checkIndex, against: existing, path: request.path)
        }
        guard existing != nil else { return }
        byNamespace[namespace]?[request.path] = nil
        if byNamespace[namespace]?.isEmpty == true { byNamespace[namespace] = nil }
    }

    /// Check-and-set: the stored modify index must equal `expected`; 0 means the variable must not exist.
    static func check(_ expected: UInt64, against existing: Caravan_V1_Variable?, path: String) throws {
        switch (existing, expected) {
        case (nil, 0):
            return
        case (nil, _):
            throw CaravanError.failedPrecondition(
                "cas error: variable \"\(path)\" does not exist, expected modify index \(expected)")
        case (let stored?, 0):
            throw CaravanError.failedPrecondition(
                "cas error: variable \"\(path)\" already exists with modify index \(stored.modifyIndex)")
        case (let stored?, _) where stored.modifyIndex != expected:
            throw CaravanError.failedPrecondition(
                "cas error: variable \"\(path)\" modify index is \(stored.modifyIndex), not \(expected)")
        default:
            return
        }
    }
}

/// One page of a variable listing.
public struct VariablePage: Sendable, Equatable {
    public var variables: [Caravan_V1_VariableMetadata]
    /// The path the next page starts at; "" when this is the last page.
    public var nextToken: String

    public init(variables: [Caravan_V1_VariableMetadata], nextToken: String) {
        self.variables = variables
        self.nextToken = nextToken
    }
}

extension Caravan_V1_VariableMetadata {
    /// The metadata of `variable`: everything but its items.
    public init(describing variable: Caravan_V1_Variable) {
        self.init()
        path = variable.path
        namespace = variable.namespace
        createIndex = variable.createIndex
        modifyIndex = variable.modifyIndex
        if variable.hasCreateTime { createTime = variable.createTime }
        if variable.hasModifyTime { modifyTime = variable.modifyTime }
    }
}
