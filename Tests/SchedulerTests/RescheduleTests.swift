import CaravanProto
import Foundation
import Scheduler
import SwiftProtobuf
import Testing

@Suite("Reschedule")
struct RescheduleTests {
    /// A state with nodes n1, n2 and one failed allocation "f0" of `job` on n1.
    static func failedState(
        job: Caravan_V1_Job, failedAgo: TimeInterval, previousEvents: Int = 0
    ) -> TestState {
        var state = Fixtures.cluster(2)
        state.upsert(job)
        var failed = Fixtures.allocation(
            "f0", job: job, node: "n1", clientStatus: .failed, modified: Fixtures.now.addingTimeInterval(-failedAgo))
        for index in 0..<previousEvents {
            var event = Caravan_V1_RescheduleEvent()
            event.rescheduleTime = Google_Protobuf_Timestamp(
                date: Fixtures.now.addingTimeInterval(-3600 + Double(index)))
            event.prevAllocID = "older-\(index)"
            failed.rescheduleTracker.events.append(event)
        }
        state.add(failed)
        return state
    }

    @Test("a failed service allocation past its delay is replaced now on another node")
    func immediate() throws {
        let job = Fixtures.job()
        let state = Self.failedState(job: job, failedAgo: 60)
        let plan = Fixtures.schedule(state, job: job, trigger: "alloc-failure")
        let placed = try #require(plan.placed.first)
        #expect(plan.placed.count == 1)
        #expect(placed.name == "web.web[0]")
        #expect(placed.previousAllocation == "f0")
        #expect(placed.nodeID == "n2")
        let event = try #require(placed.rescheduleTracker.events.last)
        #expect(placed.rescheduleTracker.events.count == 1)
        #expect(event.prevAllocID == "f0")
        #expect(event.prevNodeID == "n1")
        #expect(event.delay.seconds == 30)
        #expect(event.rescheduleTime.date == Fixtures.now)
        #expect(plan.realStops.map(\.allocID) == ["f0"])
        #expect(plan.createdEvals.isEmpty)
    }

    @Test("the penalty applies to the node of the failed allocation")
    func penaltyScore() throws {
        var state = Fixtures.cluster(1)
        let job = Fixtures.job()
        state.upsert(job)
        state.add(
            Fixtures.allocation(
                "f0", job: job, node: "n1", clientStatus: .failed, modified: Fixtures.now.addingTimeInterval(-60)))
        let plan = Fixtures.schedule(state, job: job, trigger: "alloc-failure")
        let placed = try #require(plan.placed.first)
        #expect(placed.nodeID == "n1")
        #expect(placed.metrics.scores.first?.scores["node-reschedule-penalty"] == -1)
    }

    @Test("a failed allocation inside its delay gets a follow-up evaluation at failure time + delay")
    func delayed() throws {
        let job = Fixtures.job()
        let state = Self.failedState(job: job, failedAgo: 10)
        let plan = Fixtures.schedule(state, job: job, trigger: "alloc-failure")
        #expect(plan.placed.isEmpty)
        let followup = try #require(plan.createdEvals.first)
        #expect(plan.createdEvals.count == 1)
        #expect(followup.status == .pending)
        #expect(followup.triggeredBy == "alloc-failure")
        #expect(followup.previousEval == "eval-1")
        #expect(followup.waitUntil.date == Fixtures.now.addingTimeInterval(20))
        let stop = try #require(plan.stops.first)
        #expect(plan.stops.count == 1)
        #expect(stop.allocID == "f0")
        #expect(stop.desiredStatus == .unspecified)
        #expect(stop.followupEvalID == followup.id)
        #expect(plan.evalUpdate.blockedEval.isEmpty)
    }

    @Test("failures due at the same time share one follow-up evaluation; later runs do not duplicate it")
    func sharedFollowup() throws {
        var state = Fixtures.cluster(2)
        let job = Fixtures.job(count: 3)
        state.upsert(job)
        let failedAt = Fixtures.now.addingTimeInterval(-5)
        state.add(Fixtures.allocation("f0", job: job, node: "n1", index: 0, clientStatus: .failed, modified: failedAt))
        state.add(Fixtures.allocation("f1", job: job, node: "n2", index: 1, clientStatus: .failed, modified: failedAt))
        state.add(Fixtures.allocation("a2", job: job, node: "n2", index: 2))
        let plan = Fixtures.schedule(state, job: job, trigger: "alloc-failure")
        #expect(plan.createdEvals.count == 1)
        #expect(plan.stops.count == 2)
        #expect(Set(plan.stops.map(\.followupEvalID)) == [plan.createdEvals[0].id])
        #expect(plan.placed.isEmpty)
        state.apply(plan)
        let again = Fixtures.schedule(state, job: job, trigger: "node-update")
        #expect(again.createdEvals.isEmpty)
        #expect(again.placed.isEmpty)
        // The follow-up itself, once due, replaces both.
        var followup = plan.createdEvals[0]
        followup.type = "service"
        let due = Scheduler.schedule(
            evaluation: followup, state: state, now: Fixtures.now.addingTimeInterval(30), seed: 1)
        #expect(due.placed.map(\.name) == ["web.web[0]", "web.web[1]"])
    }

    @Test(
        "exponential delay doubles per previous reschedule and stops at max_delay",
        arguments: [(0, 30.0), (1, 60.0), (2, 120.0), (3, 240.0), (10, 3600.0)])
    func exponential(_ previous: Int, _ delay: Double) throws {
        let job = Fixtures.job()
        let state = Self.failedState(job: job, failedAgo: 1, previousEvents: previous)
        let plan = Fixtures.schedule(state, job: job, trigger: "alloc-failure")
        let followup = try #require(plan.createdEvals.first)
        #expect(followup.waitUntil.date == Fixtures.now.addingTimeInterval(delay - 1))
    }

    @Test(
        "fibonacci and constant delay functions",
        arguments: [
            (Caravan_V1_ReschedulePolicy.DelayFunction.fibonacci, 3, 30.0),
            (.fibonacci, 4, 50.0), (.constant, 4, 10.0), (.fibonacci, 8, 60.0),
        ])
    func delayFunctions(_ function: Caravan_V1_ReschedulePolicy.DelayFunction, _ previous: Int, _ delay: Double)
        throws
    {
        var job = Fixtures.job()
        var policy = Caravan_V1_ReschedulePolicy()
        policy.unlimited = true
        policy.delay = Google_Protobuf_Duration(seconds: 10)
        policy.maxDelay = Google_Protobuf_Duration(seconds: 60)
        policy.delayFunction = function
        job.taskGroups[0].reschedulePolicy = policy
        let state = Self.failedState(job: job, failedAgo: 0, previousEvents: previous)
        let plan = Fixtures.schedule(state, job: job, trigger: "alloc-failure")
        let followup = try #require(plan.createdEvals.first)
        #expect(followup.waitUntil.date == Fixtures.now.addingTimeInterval(delay))
    }

    @Test("when attempts are used up within the interval the allocation is not replaced")
    func attemptsExhausted() {
        let job = Fixtures.job(type: .batch)
        let state = Self.failedState(job: job, failedAgo: 60, previousEvents: 1)
        let plan = Fixtures.schedule(state, job: job, trigger: "alloc-failure")
        #expect(plan.placed.isEmpty)
        #expect(plan.createdEvals.isEmpty)
        #expect(plan.nodeUpdate.isEmpty)
    }

    @Test("a batch failure with attempts left is replaced after the 5s default delay")
    func batchDefault() throws {
        let job = Fixtures.job(type: .batch)
        let state = Self.failedState(job: job, failedAgo: 6)
        let plan = Fixtures.schedule(state, job: job, trigger: "alloc-failure")
        #expect(plan.placed.first?.previousAllocation == "f0")
        let early = Self.failedState(job: job, failedAgo: 2)
        let wait = try #require(Fixtures.schedule(early, job: job, trigger: "alloc-failure").createdEvals.first)
        #expect(wait.waitUntil.date == Fixtures.now.addingTimeInterval(3))
    }

    @Test("an allocation that was already replaced is not replaced again")
    func alreadyReplaced() {
        let job = Fixtures.job()
        var state = Self.failedState(job: job, failedAgo: 60)
        state.update(alloc: "f0") { $0.nextAllocation = "r0" }
        state.add(Fixtures.allocation("r0", job: job, node: "n2"))
        let plan = Fixtures.schedule(state, job: job, trigger: "alloc-failure")
        #expect(plan.placed.isEmpty)
        #expect(plan.nodeUpdate.isEmpty)
    }
}
