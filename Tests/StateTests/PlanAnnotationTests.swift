import CaravanProto
import Foundation
import State
import SwiftProtobuf
import Testing

/// What a plan's follow-up annotation changes on an allocation, and what it must not.
@Suite("StateMachine: follow-up annotations")
struct PlanAnnotationTests {
    @Test("a follow-up annotation records the evaluation but keeps modify_time, from which the reschedule delay counts")
    func annotationKeepsModifyTime() throws {
        let machine = try NodeDrainStateTests.machine()
        let failedAt = try #require(machine.cluster.allocs["a1"]).modifyTime
        var plan = Caravan_V1_Plan()
        plan.nodeUpdate["n1"] = .with {
            $0.stops = [
                .with {
                    $0.allocID = "a1"; $0.followupEvalID = "later"
                }
            ]
        }
        var command = StateCommands.envelope(at: ClusterStateTests.time.addingTimeInterval(45))
        command.applyPlan = .with { $0.plan = plan }
        _ = machine.apply(entryData: try command.serializedBytes(), index: 3)
        let annotated = try #require(machine.cluster.allocs["a1"])
        #expect(annotated.followupEvalID == "later")
        #expect(annotated.modifyIndex == 3)
        #expect(annotated.modifyTime == failedAt)
        #expect(annotated.desiredStatus == .run)
    }
}
