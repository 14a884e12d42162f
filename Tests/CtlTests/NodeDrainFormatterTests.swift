import CaravanProto
import Foundation
import SwiftProtobuf
import Testing

@testable import CtlCommands

/// `ctl node status NODE` for a draining node: the drain's deadline and system-job choice, and the node events.
@Suite("node status output while draining")
struct NodeDrainFormatterTests {
    static func node(_ strategy: Caravan_V1_DrainStrategy) -> Caravan_V1_Node {
        .with {
            $0.id = Fixture.nodeID
            $0.name = "client-1"
            $0.datacenter = "dc1"
            $0.schedulingEligibility = .ineligible
            $0.status = .ready
            $0.drainStrategy = strategy
            $0.events = [
                .with {
                    $0.message = "Node registered"; $0.subsystem = "Cluster"
                    $0.timestamp = .init(date: Fixture.now.addingTimeInterval(-60))
                },
                .with {
                    $0.message = "Node drain strategy set"; $0.subsystem = "Drain"
                    $0.timestamp = .init(date: Fixture.now)
                },
            ]
        }
    }

    @Test("a draining node shows the time left, system jobs, and its events newest first")
    func draining() {
        let strategy = Caravan_V1_DrainStrategy.with {
            $0.spec.deadline = .init(seconds: 3600)
            $0.spec.ignoreSystemJobs = true
            $0.forceDeadline = .init(date: Fixture.now.addingTimeInterval(3599))
        }
        let text = NodeFormatter.detail(Self.node(strategy), allocations: [], now: Fixture.now)
        #expect(
            text == """
                ID                       = a1b2c3d4
                Name                     = client-1
                Class                    = <none>
                DC                       = dc1
                Drain                    = true
                Drain Deadline           = 59m59s left
                Drain Ignore System Jobs = true
                Eligibility              = ineligible
                Status                   = ready
                Host Volumes             = <none>
                Drivers                  = <none>
                Network Modes            = host

                Node Events
                Time                  Subsystem  Message
                2023-11-14T22:13:20Z  Drain      Node drain strategy set
                2023-11-14T22:12:20Z  Cluster    Node registered

                Allocations
                No allocations placed
                """)
    }

    @Test("the deadline reads none, forced or passed", arguments: [("none", 0), ("forced", 1), ("passed", 2)])
    func deadlines(expected: String, kind: Int) {
        var strategy = Caravan_V1_DrainStrategy()
        if kind == 1 { strategy.spec.force = true }
        if kind == 2 { strategy.forceDeadline = .init(date: Fixture.now.addingTimeInterval(-5)) }
        let rows = NodeFormatter.drainRows(strategy, now: Fixture.now)
        #expect(rows.first?.0 == "Drain Deadline")
        #expect(rows.first?.1 == expected)
    }

    @Test("Go-style durations", arguments: [(45, "45s"), (300, "5m0s"), (3600, "1h0m0s"), (5430, "1h30m30s")])
    func goDuration(seconds: Int, text: String) {
        #expect(NodeFormatter.goDuration(seconds: seconds) == text)
    }
}
