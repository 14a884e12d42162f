import CaravanProto
import Synchronization
import Testing

@testable import CtlCommands

/// The drain monitor over a script of answers: what it prints as allocations move, and how it ends.
@Suite("node drain monitor")
struct NodeDrainMonitorTests {
    static let allocID = "0f1e2d3c-0000-4000-8000-00000000000a"

    final class ScriptedDrain: DrainSource {
        var answers: [(Caravan_V1_Node, [DrainedAllocation], UInt64)]
        var askedIndexes: [UInt64] = []

        init(_ answers: [(Caravan_V1_Node, [DrainedAllocation], UInt64)]) { self.answers = answers }

        func look(nodeID: String, after index: UInt64) async throws -> (Caravan_V1_Node, [DrainedAllocation], UInt64) {
            askedIndexes.append(index)
            guard !answers.isEmpty else { throw CancellationError() }
            return answers.removeFirst()
        }
    }

    static func node(draining: Bool, lastEvent: String = "Node drain strategy set") -> Caravan_V1_Node {
        .with {
            $0.id = Fixture.nodeID
            if draining { $0.drainStrategy = .init() }
            $0.events = [
                .with {
                    $0.message = lastEvent; $0.subsystem = "Drain"
                }
            ]
        }
    }

    static func alloc(
        marked: Bool = false, desired: Caravan_V1_AllocDesiredStatus = .run,
        client: Caravan_V1_AllocClientStatus = .running
    ) -> DrainedAllocation {
        DrainedAllocation(id: allocID, name: "web.web[0]", markedForMigration: marked, desired: desired, client: client)
    }

    @Test("prints each allocation marked, draining and stopped, then the completion, and exits 0")
    func complete() async throws {
        let history = DrainedAllocation(id: "99999999-old", name: "old.g[0]", desired: .stop, client: .complete)
        let source = ScriptedDrain([
            (Self.node(draining: true), [Self.alloc(), history], 5),
            (Self.node(draining: true), [Self.alloc(marked: true), history], 6),
            (Self.node(draining: true), [Self.alloc(marked: true, desired: .stop), history], 6),
            (Self.node(draining: true), [Self.alloc(marked: true, desired: .stop, client: .complete), history], 8),
            (Self.node(draining: false, lastEvent: "Node drain complete"), [], 9),
        ])
        let pauses = Counter()
        var printed: [String] = []
        let status = try await NodeDrainMonitor(source: source, pause: { pauses.increment() })
            .run(nodeID: Fixture.nodeID) { printed.append($0) }
        #expect(status == 0)
        #expect(source.askedIndexes == [0, 5, 6, 6, 8])
        #expect(pauses.value == 1)
        #expect(
            printed == [
                "Alloc \"0f1e2d3c\" (web.web[0]) marked for migration",
                "Alloc \"0f1e2d3c\" (web.web[0]) draining",
                "Alloc \"0f1e2d3c\" (web.web[0]) status running -> complete",
                "Drain complete for node \"\(Fixture.nodeID)\"",
            ])
    }

    @Test("a drain cancelled while followed exits 1 and says so")
    func cancelled() async throws {
        let source = ScriptedDrain([
            (Self.node(draining: true), [Self.alloc()], 5),
            (Self.node(draining: false, lastEvent: "Node drain strategy unset"), [Self.alloc()], 7),
        ])
        var printed: [String] = []
        let status = try await NodeDrainMonitor(source: source, pause: {}).run(nodeID: "a1b2") { printed.append($0) }
        #expect(status == 1)
        #expect(printed == ["Drain for node \"\(Fixture.nodeID)\" was cancelled"])
    }
}
