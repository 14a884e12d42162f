import CaravanProto
import Foundation
import GRPCCore
import SwiftProtobuf

/// What the drain monitor needs to know of one allocation on the draining node.
struct DrainedAllocation: Equatable, Sendable {
    var id: String
    var name: String
    var markedForMigration = false
    var desired: Caravan_V1_AllocDesiredStatus = .run
    var client: Caravan_V1_AllocClientStatus = .pending

    var isTerminal: Bool {
        desired == .stop || desired == .evict || [.complete, .failed, .lost].contains(client)
    }
}

/// Where `NodeDrainMonitor` reads from: the servers in `ctl`, a script of answers in tests.
protocol DrainSource {
    /// The node, its allocations and the state index they reflect, once that index passes `index` (a blocking
    /// query) or the wait runs out.
    func look(nodeID: String, after index: UInt64) async throws -> (Caravan_V1_Node, [DrainedAllocation], UInt64)
}

/// Follows a node drain, like `nomad node drain -monitor`: prints each allocation marked for migration, told to
/// stop and stopped, until the drain completes (exit 0) or is cancelled (exit 1).
struct NodeDrainMonitor {
    var source: any DrainSource
    /// Pause before asking again when an answer brought nothing new (a server that does not block).
    var pause: @Sendable () async throws -> Void = { try await Task.sleep(for: .seconds(1)) }

    func run(nodeID: String, emit: (String) -> Void) async throws -> Int32 {
        var seen: [String: DrainedAllocation] = [:]
        var history: Set<String> = []
        var index: UInt64 = 0
        var first = true
        while true {
            try Task.checkCancellation()
            let (node, allocations, next) = try await source.look(nodeID: nodeID, after: index)
            for allocation in allocations.sorted(by: { $0.id < $1.id }) {
                // Allocations that ended before the drain are history; one the drain already moved (a fast
                // drain can finish before the first look) is still reported.
                if first && allocation.isTerminal && !allocation.markedForMigration { history.insert(allocation.id) }
                guard !history.contains(allocation.id) else { continue }
                let before = seen[allocation.id] ?? DrainedAllocation(id: allocation.id, name: allocation.name)
                Self.changes(from: before, to: allocation).forEach(emit)
                seen[allocation.id] = allocation
            }
            first = false
            if !node.hasDrainStrategy {
                let (line, status) = Self.ending(node)
                emit(line)
                return status
            }
            if next <= index { try await pause() }
            index = next
        }
    }

    /// The lines for what changed in one allocation.
    static func changes(from before: DrainedAllocation, to after: DrainedAllocation) -> [String] {
        let label = "Alloc \"\(DisplayText.shortID(after.id))\" (\(after.name))"
        var lines: [String] = []
        if after.markedForMigration && !before.markedForMigration { lines.append("\(label) marked for migration") }
        if after.desired != before.desired && (after.desired == .stop || after.desired == .evict) {
            lines.append("\(label) draining")
        }
        if after.client != before.client && [.complete, .failed, .lost].contains(after.client) {
            lines.append("\(label) status \(StatusNames.client(before.client)) -> \(StatusNames.client(after.client))")
        }
        return lines
    }

    /// How the drain ended: completed (the node's last drain event says so) or cancelled.
    static func ending(_ node: Caravan_V1_Node) -> (String, Int32) {
        let last = node.events.last { $0.subsystem == "Drain" }
        if last?.message == "Node drain complete" { return ("Drain complete for node \"\(node.id)\"", 0) }
        return ("Drain for node \"\(node.id)\" was cancelled", 1)
    }
}

/// Reads the node and its allocations with blocking queries of up to `maxWait`.
struct ServerDrainSource<Transport: ClientTransport>: DrainSource {
    var client: GRPCClient<Transport>
    var maxWait: Google_Protobuf_Duration = .init(seconds: 5)

    func look(nodeID: String, after index: UInt64) async throws -> (Caravan_V1_Node, [DrainedAllocation], UInt64) {
        let nodes = Caravan_V1_Nodes.Client(wrapping: client)
        var listing = Caravan_V1_ListNodeAllocationsRequest()
        listing.nodeID = nodeID
        listing.query.minIndex = index
        if index > 0 { listing.query.maxWait = maxWait }
        let stubs = try await nodes.allocations(listing)
        let node = try await nodes.get(.with { $0.nodeID = nodeID }).node
        let allocs = Caravan_V1_Allocations.Client(wrapping: client)
        var result: [DrainedAllocation] = []
        for stub in stubs.allocations {
            var allocation = DrainedAllocation(
                id: stub.id, name: stub.name, desired: stub.desiredStatus, client: stub.clientStatus)
            if !allocation.isTerminal {
                // The list leaves transitions out; only live allocations can still be marked.
                allocation.markedForMigration =
                    try await allocs.get(.with { $0.allocID = stub.id }).allocation.desiredTransition.migrate
            } else {
                allocation.markedForMigration = stub.desiredDescription == "alloc is being migrated"
            }
            result.append(allocation)
        }
        return (node, result, stubs.meta.index)
    }
}
