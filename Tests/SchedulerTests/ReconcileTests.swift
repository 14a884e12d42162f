import CaravanProto
import Foundation
import Scheduler
import Testing

@Suite("Reconcile")
struct ReconcileTests {
    @Test("a new job places count allocations with complete records")
    func initialPlacement() throws {
        var state = Fixtures.cluster(3)
        var job = Fixtures.job(count: 3, version: 2)
        job.taskGroups[0].tasks[0].resources.memoryMaxMb = 512
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        #expect(plan.placed.map(\.name) == ["web.web[0]", "web.web[1]", "web.web[2]"])
        #expect(plan.evalID == "eval-1")
        #expect(plan.jobID == "web")
        #expect(plan.namespace == "default")
        #expect(plan.priority == 50)
        #expect(plan.jobVersion == 2)
        #expect(plan.snapshotIndex == state.index)
        for allocation in plan.placed {
            #expect(allocation.id.count == 36)
            #expect(allocation.id == allocation.id.lowercased())
            #expect(Array(allocation.id)[14] == "4")
            #expect(allocation.evalID == "eval-1")
            #expect(allocation.jobVersion == 2)
            #expect(allocation.desiredStatus == .run)
            #expect(allocation.clientStatus == .pending)
            #expect(allocation.nodeName == "name-\(allocation.nodeID)")
            #expect(!allocation.hasJob)
            #expect(allocation.createTime.date == Fixtures.now)
            #expect(allocation.allocatedResources.tasks["app"]?.cpuMhz == 500)
            #expect(allocation.allocatedResources.tasks["app"]?.memoryMaxMb == 512)
            #expect(allocation.metrics.nodesEvaluated > 0)
        }
        #expect(plan.annotations.desiredTgUpdates["web"]?.place == 3)
        #expect(plan.evalUpdate.status == .complete)
        #expect(plan.evalUpdate.queuedAllocations["web"] == 0)
        #expect(plan.createdEvals.isEmpty)
    }

    @Test("an unset count means one allocation; zero means none")
    func defaultCount() {
        var state = Fixtures.cluster(1)
        let job = Fixtures.job(count: nil)
        state.upsert(job)
        #expect(Fixtures.schedule(state, job: job).placed.count == 1)
        let zero = Fixtures.job("zero", count: 0)
        state.upsert(zero)
        #expect(Fixtures.schedule(state, job: zero).placed.isEmpty)
    }

    @Test("raising the count fills the lowest free indexes")
    func countUp() throws {
        var state = Fixtures.cluster(2)
        let job = Fixtures.job(count: 4)
        state.upsert(job)
        state.add(Fixtures.allocation("a0", job: job, node: "n1", index: 0))
        state.add(Fixtures.allocation("a2", job: job, node: "n2", index: 2))
        let plan = Fixtures.schedule(state, job: job)
        #expect(plan.placed.map(\.name) == ["web.web[1]", "web.web[3]"])
        #expect(plan.nodeUpdate.isEmpty)
        #expect(plan.annotations.desiredTgUpdates["web"]?.ignore == 2)
    }

    @Test("lowering the count stops the highest indexes")
    func countDown() throws {
        var state = Fixtures.cluster(2)
        var job = Fixtures.job(count: 4)
        state.upsert(job)
        for index in 0..<4 { state.add(Fixtures.allocation("a\(index)", job: job, node: "n1", index: index)) }
        job.taskGroups[0].count = 2
        job.version = 1
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        #expect(plan.realStops.map(\.allocID) == ["a2", "a3"])
        #expect(plan.realStops.allSatisfy { $0.desiredStatus == .stop && $0.clientStatus == .unspecified })
        #expect(plan.annotations.desiredTgUpdates["web"]?.stop == 2)
        // The two kept allocations only had their count changed: in-place.
        #expect(plan.placed.map(\.id) == ["a0", "a1"])
        #expect(plan.placed.allSatisfy { $0.jobVersion == 1 })
    }

    @Test("a change of count only is an in-place update")
    func inPlaceUpdate() throws {
        var state = Fixtures.cluster(2)
        var job = Fixtures.job(count: 2)
        state.upsert(job)
        state.add(Fixtures.allocation("a0", job: job, node: "n1", index: 0))
        state.add(Fixtures.allocation("a1", job: job, node: "n2", index: 1))
        job.version = 1
        job.taskGroups[0].count = 3
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        #expect(plan.realStops.isEmpty)
        let updated = plan.placed.filter { $0.id == "a0" || $0.id == "a1" }
        #expect(updated.count == 2)
        #expect(updated.allSatisfy { $0.jobVersion == 1 && $0.evalID == "eval-1" })
        #expect(updated.first { $0.id == "a0" }?.nodeID == "n1")
        #expect(plan.placed.count == 3)
        #expect(plan.annotations.desiredTgUpdates["web"]?.inPlaceUpdate == 2)
        #expect(plan.annotations.desiredTgUpdates["web"]?.place == 1)
    }

    @Test("a changed task is a destructive update: stop the old, place a new one with the same name")
    func destructiveUpdate() throws {
        var state = Fixtures.cluster(2)
        var job = Fixtures.job(count: 1)
        state.upsert(job)
        state.add(Fixtures.allocation("a0", job: job, node: "n1"))
        job.version = 1
        job.taskGroups[0].tasks[0].resources.cpuMhz = 700
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        #expect(plan.realStops.map(\.allocID) == ["a0"])
        let placed = try #require(plan.placed.first)
        #expect(placed.id != "a0")
        #expect(placed.name == "web.web[0]")
        #expect(placed.previousAllocation == "a0")
        #expect(placed.jobVersion == 1)
        #expect(placed.allocatedResources.tasks["app"]?.cpuMhz == 700)
        #expect(plan.annotations.desiredTgUpdates["web"]?.destructiveUpdate == 1)
    }

    @Test("a job-level constraint change or a forgotten old version is destructive")
    func destructiveWhenUnknown() throws {
        var state = Fixtures.cluster(1)
        var job = Fixtures.job()
        state.upsert(job)
        state.add(Fixtures.allocation("a0", job: job, node: "n1"))
        job.version = 1
        job.constraints = [Fixtures.constraint("${attr.kernel.name}", "=", "linux")]
        state.upsert(job)
        #expect(Fixtures.schedule(state, job: job).realStops.map(\.allocID) == ["a0"])

        job.constraints = []
        state.upsert(job)
        state.forget(job: job, version: 0)
        let plan = Fixtures.schedule(state, job: job)
        #expect(plan.realStops.map(\.allocID) == ["a0"])
        #expect(plan.placed.first?.previousAllocation == "a0")
    }

    @Test("a destructive update whose replacement does not fit leaves the old allocation running")
    func destructiveNoRoom() throws {
        var state = Fixtures.cluster(1)
        var job = Fixtures.job()
        state.upsert(job)
        state.add(Fixtures.allocation("a0", job: job, node: "n1"))
        job.version = 1
        job.taskGroups[0].tasks[0].resources.cpuMhz = 9000
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        #expect(plan.realStops.isEmpty)
        #expect(plan.placed.isEmpty)
        #expect(plan.evalUpdate.failedTgAllocs["web"] != nil)
    }

    @Test("the same allocations need nothing")
    func steadyState() {
        var state = Fixtures.cluster(2)
        let job = Fixtures.job(count: 2)
        state.upsert(job)
        state.add(Fixtures.allocation("a0", job: job, node: "n1", index: 0))
        state.add(Fixtures.allocation("a1", job: job, node: "n2", index: 1))
        let plan = Fixtures.schedule(state, job: job)
        #expect(plan.nodeAllocation.isEmpty)
        #expect(plan.nodeUpdate.isEmpty)
        #expect(plan.annotations.desiredTgUpdates["web"]?.ignore == 2)
    }

    @Test("a stopped job stops every running allocation; a purged job is deregistered")
    func jobStop() throws {
        var state = Fixtures.cluster(2)
        var job = Fixtures.job(count: 2)
        state.upsert(job)
        state.add(Fixtures.allocation("a0", job: job, node: "n1", index: 0))
        state.add(Fixtures.allocation("a1", job: job, node: "n2", index: 1))
        state.add(Fixtures.allocation("old", job: job, node: "n2", index: 1, clientStatus: .complete))
        job.stop = true
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job, trigger: "job-deregister")
        #expect(plan.realStops.map(\.allocID) == ["a0", "a1"])
        #expect(plan.realStops.allSatisfy { $0.desiredDescription == "alloc not needed since job was stopped" })
        #expect(plan.nodeAllocation.isEmpty)
        #expect(plan.evalUpdate.status == .complete)

        state.delete(jobID: "web")
        let purged = Fixtures.schedule(state, job: job, trigger: "job-deregister")
        #expect(purged.realStops.map(\.allocID) == ["a0", "a1"])
        #expect(purged.realStops.allSatisfy { $0.desiredDescription == "job deregistered" })
    }

    @Test("allocations on a down or missing node are lost and replaced elsewhere", arguments: ["down", "missing"])
    func lostNode(_ condition: String) throws {
        var state = Fixtures.cluster(3)
        let job = Fixtures.job(count: 2)
        state.upsert(job)
        state.add(Fixtures.allocation("a0", job: job, node: "n1", index: 0))
        state.add(Fixtures.allocation("a1", job: job, node: "n2", index: 1))
        if condition == "down" {
            state.update(node: "n1") { $0.status = .down }
        } else {
            state.remove(node: "n1")
        }
        let plan = Fixtures.schedule(state, job: job, trigger: "node-update")
        let stop = try #require(plan.realStops.first)
        #expect(plan.realStops.count == 1)
        #expect(stop.allocID == "a0")
        #expect(stop.clientStatus == .lost)
        let placed = try #require(plan.placed.first)
        #expect(plan.placed.count == 1)
        #expect(placed.name == "web.web[0]")
        #expect(placed.previousAllocation == "a0")
        #expect(placed.nodeID != "n1")
    }

    @Test(
        "allocations marked for migration move elsewhere, on a draining node or not",
        arguments: [true, false])
    func migrate(_ drainNode: Bool) throws {
        var state = Fixtures.cluster(2)
        let job = Fixtures.job()
        state.upsert(job)
        var allocation = Fixtures.allocation("a0", job: job, node: "n1")
        allocation.desiredTransition.migrate = true
        if drainNode {
            state.update(node: "n1") { $0.drainStrategy = Caravan_V1_DrainStrategy() }
        } else {
            state.update(node: "n1") { $0.schedulingEligibility = .ineligible }
        }
        state.add(allocation)
        let plan = Fixtures.schedule(state, job: job, trigger: "node-drain")
        #expect(plan.realStops.map(\.allocID) == ["a0"])
        #expect(plan.realStops.first?.desiredDescription == "alloc is being migrated")
        #expect(plan.placed.map(\.nodeID) == ["n2"])
        #expect(plan.placed.first?.previousAllocation == "a0")
        #expect(plan.annotations.desiredTgUpdates["web"]?.migrate == 1)
    }

    @Test("on a draining node only the allocations the drainer marked move; the others keep running")
    func drainingNodeMovesOnlyMarked() throws {
        var state = Fixtures.cluster(3)
        let job = Fixtures.job(count: 2)
        state.upsert(job)
        state.update(node: "n1") {
            $0.drainStrategy = Caravan_V1_DrainStrategy()
            $0.schedulingEligibility = .ineligible
        }
        var marked = Fixtures.allocation("a0", job: job, node: "n1", index: 0)
        marked.desiredTransition.migrate = true
        state.add(marked)
        state.add(Fixtures.allocation("a1", job: job, node: "n1", index: 1))
        let plan = Fixtures.schedule(state, job: job, trigger: "node-drain")
        #expect(plan.realStops.map(\.allocID) == ["a0"])
        #expect(plan.placed.count == 1)
        #expect(plan.placed.first?.previousAllocation == "a0")
        #expect(plan.placed.first?.nodeID != "n1")
        #expect(plan.annotations.desiredTgUpdates["web"]?.migrate == 1)
        #expect(plan.annotations.desiredTgUpdates["web"]?.ignore == 1)
    }

    @Test("allocations of a removed group are stopped")
    func removedGroup() {
        var state = Fixtures.cluster(1)
        var job = Fixtures.job()
        state.upsert(job)
        state.add(Fixtures.allocation("a0", job: job, node: "n1"))
        job.version = 1
        job.taskGroups[0].name = "api"
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        #expect(plan.realStops.map(\.allocID) == ["a0"])
        #expect(plan.placed.map(\.name) == ["web.api[0]"])
    }

    @Test("service: a completed allocation is replaced; batch: it is done")
    func completeAllocations() {
        for type in [Caravan_V1_JobType.service, .batch] {
            var state = Fixtures.cluster(2)
            let job = Fixtures.job(type: type, count: 2)
            state.upsert(job)
            state.add(Fixtures.allocation("a0", job: job, node: "n1", index: 0, clientStatus: .complete))
            state.add(Fixtures.allocation("a1", job: job, node: "n2", index: 1))
            let plan = Fixtures.schedule(state, job: job)
            if type == .service {
                #expect(plan.placed.map(\.name) == ["web.web[0]"])
            } else {
                #expect(plan.placed.isEmpty)
            }
        }
    }

    @Test("the same seed gives the same plan; a plan applied leaves nothing to do")
    func determinism() {
        var state = Fixtures.cluster(20)
        var job = Fixtures.job(count: 15)
        var request = Caravan_V1_NetworkResource()
        request.dynamicPorts = [Fixtures.port("http")]
        job.taskGroups[0].networks = [request]
        state.upsert(job)
        let first = Fixtures.schedule(state, job: job, seed: 7)
        let second = Fixtures.schedule(state, job: job, seed: 7)
        #expect(first == second)
        #expect(first.placed.count == 15)
        let other = Fixtures.schedule(state, job: job, seed: 8)
        #expect(Set(other.placed.map(\.id)).isDisjoint(with: first.placed.map(\.id)))
        state.apply(first)
        let after = Fixtures.schedule(state, job: job, seed: 9)
        #expect(after.nodeAllocation.isEmpty)
        #expect(after.nodeUpdate.isEmpty)
    }
}
