import CaravanProto
import CaravanRPC
import Foundation
import State
import SwiftProtobuf

/// Reads and writes shared by the job, node, evaluation and allocation services: blocking queries by index,
/// proposals whose refusals become errors, and id-prefix lookups.
public struct ClusterQueries: Sendable {
    /// A blocking query waits at most this long (Nomad's default and cap are alike).
    static let defaultMaxWait: Duration = .seconds(300)
    static let maxMaxWait: Duration = .seconds(600)

    let state: any ReplicatedState
    let hub: StateChangeHub

    public init(state: any ReplicatedState, hub: StateChangeHub) {
        self.state = state
        self.hub = hub
    }

    /// Runs `body` on the state; with `query.min_index`, first waits (up to `max_wait`) until one of `tables`
    /// changed past that index, so callers are told of changes instead of polling.
    func read<Value: Sendable>(
        _ query: Caravan_V1_QueryOptions, tables: Set<StateTable>,
        _ body: @escaping @Sendable (StateView) throws -> Value
    ) async throws -> (value: Value, meta: Caravan_V1_QueryMeta) {
        var wait = Self.defaultMaxWait
        if query.hasMaxWait {
            let requested = Duration.seconds(query.maxWait.seconds) + .nanoseconds(Int64(query.maxWait.nanos))
            wait = min(max(requested, .zero), Self.maxMaxWait)
        }
        let deadline = ContinuousClock.now + wait
        let tableList = Array(tables)
        while true {
            let read = try await state.read(stale: query.allowStale) { view in
                (value: try body(view), index: view.cluster.index(of: tableList))
            }
            let index = max(read.value.index, 1)
            let now = ContinuousClock.now
            if query.minIndex == 0 || index > query.minIndex || now >= deadline {
                var meta = Caravan_V1_QueryMeta()
                meta.index = index
                meta.knownLeader = read.knownLeader
                return (read.value.value, meta)
            }
            await hub.waitForChange(of: tables, after: query.minIndex, timeout: deadline - now)
            try Task.checkCancellation()
        }
    }

    /// Proposes `command`; a refusal by the state machine is thrown with its own code and message.
    func propose(_ command: Caravan_V1_StateCommand) async throws -> AppliedCommand {
        let applied = try await state.propose(command)
        if let refusal = applied.result.refusal { throw refusal }
        return applied
    }

    /// A read of this server's applied state without a barrier: for checks the state machine repeats anyway
    /// (a node's secret on registration) and for the leader reading its own state.
    static let local = Caravan_V1_QueryOptions.with { $0.allowStale = true }

    static func writeMeta(_ index: UInt64) -> Caravan_V1_WriteMeta {
        Caravan_V1_WriteMeta.with { $0.index = index }
    }

    /// The one key starting with `prefix` (ids are shown shortened, as Nomad does); NOT_FOUND when none,
    /// INVALID_ARGUMENT naming the matches when several.
    static func resolve<Value>(_ prefix: String, in table: ShardedTable<Value>, kind: String) throws -> Value {
        guard !prefix.isEmpty else { throw CaravanError.invalidArgument("no \(kind) id given") }
        if let exact = table[prefix] { return exact }
        let matches = table.sortedKeys.filter { $0.hasPrefix(prefix) }
        guard let first = matches.first, let value = table[first] else {
            throw CaravanError.notFound("no \(kind) with id or prefix \"\(prefix)\"")
        }
        guard matches.count == 1 else {
            let shown = matches.prefix(5).joined(separator: ", ")
            throw CaravanError.invalidArgument(
                "prefix \"\(prefix)\" matches \(matches.count) \(kind)s (\(shown)\(matches.count > 5 ? ", ..." : "")); "
                    + "give more of the id")
        }
        return value
    }

    static func namespace(_ value: String) -> String { value.isEmpty ? "default" : value }
}
