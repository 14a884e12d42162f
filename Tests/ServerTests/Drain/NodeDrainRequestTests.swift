import CaravanProto
import CaravanRPC
import Foundation
import SwiftProtobuf
import Testing

@testable import CaravanServer

/// `Nodes.Drain` requests: what is refused, and the drain strategy or cancellation they become.
@Suite("node drain requests")
struct NodeDrainRequestTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    static func request(deadline: Google_Protobuf_Duration? = nil, force: Bool = false) -> Caravan_V1_DrainNodeRequest {
        .with {
            $0.nodeID = "n1"
            $0.drainSpec = .with {
                if let deadline { $0.deadline = deadline }
                $0.force = force
            }
        }
    }

    @Test(
        "a negative or malformed deadline is refused with the reason",
        arguments: [
            (Google_Protobuf_Duration(seconds: -5), "negative"),
            (Google_Protobuf_Duration(seconds: 0, nanos: -1), "negative"),
            (Google_Protobuf_Duration(seconds: 1, nanos: -1), "not a valid duration"),
            (Google_Protobuf_Duration(seconds: 0, nanos: 1_000_000_000), "not a valid duration"),
        ])
    func refused(deadline: Google_Protobuf_Duration, reason: String) throws {
        let error = try #require(throws: CaravanError.self) {
            try NodeDrainRequest.validate(Self.request(deadline: deadline))
        }
        #expect(error.code == .invalidArgument)
        #expect(error.message.contains(reason))
    }

    @Test("force accepts any deadline; cancelling needs no spec")
    func accepted() throws {
        try NodeDrainRequest.validate(Self.request(deadline: .init(seconds: -5), force: true))
        try NodeDrainRequest.validate(.with { $0.nodeID = "n1" })
        try NodeDrainRequest.validate(Self.request(deadline: .init(seconds: 30)))
    }

    @Test("a deadline becomes started_at + deadline; none leaves force_deadline unset; force puts it in the past")
    func strategies() {
        let timed = NodeDrainRequest.command(
            for: Self.request(deadline: .init(seconds: 30)), nodeID: "n1", evals: [], at: Self.now)
        #expect(timed.drainStrategy.startedAt.date == Self.now)
        #expect(timed.drainStrategy.forceDeadline.date == Self.now.addingTimeInterval(30))
        #expect(timed.event == "Node drain strategy set")
        #expect(timed.nodeID == "n1")

        let open = NodeDrainRequest.command(for: Self.request(), nodeID: "n1", evals: [], at: Self.now)
        #expect(open.hasDrainStrategy && !open.drainStrategy.hasForceDeadline)

        let forced = NodeDrainRequest.command(
            for: Self.request(deadline: .init(seconds: -1), force: true), nodeID: "n1", evals: [], at: Self.now)
        #expect(forced.drainStrategy.forceDeadline.date < Self.now)
        #expect(forced.drainStrategy.spec.force)
        #expect(!forced.drainStrategy.spec.hasDeadline)
    }

    @Test("no spec cancels: the strategy unset, eligibility as asked, the evaluations carried")
    func cancel() {
        var eval = Caravan_V1_Evaluation()
        eval.id = "e1"
        let cancel = NodeDrainRequest.command(
            for: .with {
                $0.nodeID = "n1"; $0.markEligible = true
            }, nodeID: "n1-full", evals: [eval], at: Self.now)
        #expect(!cancel.hasDrainStrategy)
        #expect(cancel.markEligible)
        #expect(cancel.nodeID == "n1-full")
        #expect(cancel.event == "Node drain strategy unset")
        #expect(cancel.evals.map(\.id) == ["e1"])
    }
}
