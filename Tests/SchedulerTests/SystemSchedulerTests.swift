import CaravanProto
import Scheduler
import Testing

@Suite("System jobs")
struct SystemSchedulerTests {
    static func systemJob() -> Caravan_V1_Job {
        var job = Fixtures.job("agent", type: .system, count: nil, cpu: 200, memory: 128, group: "agent")
        job.constraints = [Fixtures.constraint("${attr.kernel.name}", "=", "linux")]
        return job
    }

    static func mixedCluster() -> TestState {
        var state = TestState()
        state.add(Fixtures.node("ok1"))
        state.add(Fixtures.node("ok2"))
        state.add(Fixtures.node("ineligible", eligibility: .ineligible))
        state.add(Fixtures.node("down", status: .down))
        var draining = Fixtures.node("draining")
        draining.drainStrategy = Caravan_V1_DrainStrategy()
        state.add(draining)
        state.add(Fixtures.node("windows", attributes: ["kernel.name": "windows"]))
        state.add(Fixtures.node("otherdc", datacenter: "dc9"))
        return state
    }

    @Test("one allocation per eligible, feasible node; filtered nodes are not failures")
    func everyNode() throws {
        var state = Self.mixedCluster()
        let job = Self.systemJob()
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        #expect(plan.placed.map(\.nodeID).sorted() == ["ok1", "ok2"])
        #expect(plan.placed.allSatisfy { $0.name == "agent.agent[0]" })
        #expect(plan.evalUpdate.failedTgAllocs.isEmpty)
        #expect(plan.createdEvals.isEmpty)
        #expect(plan.annotations.desiredTgUpdates["agent"]?.place == 2)
    }

    @Test("a new node gets an allocation and existing ones are left alone")
    func newNode() throws {
        var state = Self.mixedCluster()
        let job = Self.systemJob()
        state.upsert(job)
        state.apply(Fixtures.schedule(state, job: job))
        state.add(Fixtures.node("ok3"))
        let plan = Fixtures.schedule(state, job: job, trigger: "node-update")
        #expect(plan.placed.map(\.nodeID) == ["ok3"])
        #expect(plan.nodeUpdate.isEmpty)
    }

    @Test("a node that goes down loses its allocation without replacement")
    func lostNode() throws {
        var state = Self.mixedCluster()
        let job = Self.systemJob()
        state.upsert(job)
        state.apply(Fixtures.schedule(state, job: job))
        state.update(node: "ok1") { $0.status = .down }
        let plan = Fixtures.schedule(state, job: job, trigger: "node-update")
        let stop = try #require(plan.realStops.first)
        #expect(plan.realStops.count == 1)
        #expect(stop.clientStatus == .lost)
        #expect(state.allocationByID[stop.allocID]?.nodeID == "ok1")
        #expect(plan.placed.isEmpty)
    }

    @Test("a node that stops passing constraints has its allocation stopped")
    func noLongerFeasible() throws {
        var state = Self.mixedCluster()
        let job = Self.systemJob()
        state.upsert(job)
        state.apply(Fixtures.schedule(state, job: job))
        state.update(node: "ok1") { $0.attributes["kernel.name"] = "windows" }
        let plan = Fixtures.schedule(state, job: job, trigger: "node-update")
        #expect(plan.realStops.count == 1)
        #expect(plan.realStops.allSatisfy { $0.clientStatus == .unspecified })
        #expect(plan.placed.isEmpty)
    }

    @Test("on a draining node the allocation runs until the drainer marks it, then stops without replacement")
    func drainingNode() throws {
        var state = Self.mixedCluster()
        var job = Self.systemJob()
        state.upsert(job)
        state.apply(Fixtures.schedule(state, job: job))
        state.update(node: "ok2") {
            $0.drainStrategy = Caravan_V1_DrainStrategy()
            $0.schedulingEligibility = .ineligible
        }
        let waiting = Fixtures.schedule(state, job: job, trigger: "node-update")
        #expect(waiting.realStops.isEmpty)
        #expect(waiting.placed.isEmpty)
        #expect(waiting.annotations.desiredTgUpdates["agent"]?.ignore == 2)

        // A destructive update meanwhile replaces the allocation on ok1 only.
        job.version = 1
        job.taskGroups[0].tasks[0].resources.memoryMb = 256
        state.upsert(job)
        let updated = Fixtures.schedule(state, job: job)
        #expect(updated.placed.map(\.nodeID) == ["ok1"])
        state.apply(updated)

        let onDraining = try #require(state.allocationByID.values.first { $0.nodeID == "ok2" && !$0.isTerminal })
        state.update(alloc: onDraining.id) { $0.desiredTransition.migrate = true }
        let marked = Fixtures.schedule(state, job: job, trigger: "node-drain")
        #expect(marked.realStops.map(\.allocID) == [onDraining.id])
        #expect(marked.realStops.first?.desiredDescription == "alloc is being migrated")
        #expect(!marked.placed.contains { $0.nodeID == "ok2" })
    }

    @Test("a node without room is a placement failure with a blocked evaluation")
    func exhausted() throws {
        var state = Self.mixedCluster()
        state.add(Fixtures.node("tiny", memory: 64))
        let job = Self.systemJob()
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        #expect(plan.placed.count == 2)
        let metric = try #require(plan.evalUpdate.failedTgAllocs["agent"])
        #expect(metric.dimensionExhausted["memory"] == 1)
        #expect(plan.evalUpdate.queuedAllocations["agent"] == 1)
        #expect(plan.createdEvals.first?.status == .blocked)
    }

    @Test("job updates are in place per node when only meta-free details change, destructive otherwise")
    func updates() throws {
        var state = Self.mixedCluster()
        var job = Self.systemJob()
        state.upsert(job)
        state.apply(Fixtures.schedule(state, job: job))
        job.version = 1
        job.taskGroups[0].count = 5
        state.upsert(job)
        let inPlace = Fixtures.schedule(state, job: job)
        #expect(inPlace.realStops.isEmpty)
        #expect(inPlace.placed.count == 2)
        #expect(inPlace.placed.allSatisfy { $0.jobVersion == 1 && state.allocationByID[$0.id] != nil })

        job.version = 2
        job.taskGroups[0].tasks[0].resources.memoryMb = 256
        state.upsert(job)
        let destructive = Fixtures.schedule(state, job: job)
        #expect(destructive.realStops.count == 2)
        #expect(destructive.placed.count == 2)
        #expect(destructive.placed.allSatisfy { state.allocationByID[$0.id] == nil && !$0.previousAllocation.isEmpty })
        #expect(Set(destructive.placed.map(\.nodeID)) == ["ok1", "ok2"])
    }

    @Test("with update max_parallel, destructive updates roll node by node with a follow-up evaluation stagger later")
    func rollingUpdate() throws {
        var state = Fixtures.cluster(5)
        var job = Self.systemJob()
        job.datacenters = ["dc1"]
        job.taskGroups[0].update = .with {
            $0.maxParallel = 2
            $0.stagger = .init(seconds: 15)
        }
        state.upsert(job)
        state.apply(Fixtures.schedule(state, job: job))
        #expect(state.allAllocations.count == 5)
        job.version = 1
        job.taskGroups[0].tasks[0].resources.memoryMb = 200
        state.upsert(job)
        var updatedNodes: [String] = []
        for round in 0..<3 {
            let plan = Fixtures.schedule(state, job: job, trigger: round == 0 ? "job-register" : "rolling-update")
            let placed = plan.placed.map(\.nodeID).sorted()
            #expect(placed.count == (round < 2 ? 2 : 1))
            #expect(plan.realStops.count == placed.count)
            #expect(plan.annotations.desiredTgUpdates["agent"]?.destructiveUpdate == UInt64(placed.count))
            let followups = plan.createdEvals.filter { $0.triggeredBy == "rolling-update" }
            if round < 2 {
                #expect(followups.count == 1)
                #expect(followups.first?.status == .pending)
                #expect(followups.first?.waitUntil.date == Fixtures.now.addingTimeInterval(15))
            } else {
                #expect(followups.isEmpty, "the last batch needs no follow-up")
            }
            updatedNodes += placed
            state.apply(plan)
        }
        #expect(updatedNodes.sorted() == ["n1", "n2", "n3", "n4", "n5"])
        let live = state.allAllocations.filter { !$0.isTerminal && $0.desiredStatus == .run }
        #expect(live.count == 5 && live.allSatisfy { $0.jobVersion == 1 })
    }

    @Test("a stopped system job stops everything")
    func stop() {
        var state = Self.mixedCluster()
        var job = Self.systemJob()
        state.upsert(job)
        state.apply(Fixtures.schedule(state, job: job))
        job.stop = true
        state.upsert(job)
        #expect(Fixtures.schedule(state, job: job).realStops.count == 2)
    }
}
