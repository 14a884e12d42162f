import CaravanProto
import Scheduler
import Testing

@Suite("Plan verifier")
struct PlanVerifierTests {
    @Test("of two plans computed on one snapshot that both take a node's last capacity, the second is rejected")
    func raceForCapacity() throws {
        var state = Fixtures.cluster(1)
        let first = Fixtures.job("first", cpu: 3000)
        let second = Fixtures.job("second", cpu: 3000)
        state.upsert(first)
        state.upsert(second)
        let planA = Fixtures.schedule(state, job: first)
        var evalB = Fixtures.evaluation(for: second, id: "eval-2")
        evalB.type = "service"
        let planB = Scheduler.schedule(evaluation: evalB, state: state, now: Fixtures.now, seed: 5)
        #expect(planA.placed.count == 1)
        #expect(planB.placed.count == 1)

        let verdictA = PlanVerifier.evaluate(plan: planA, state: state)
        #expect(verdictA.isFullyAccepted)
        #expect(verdictA.acceptedNodes == ["n1"])
        #expect(verdictA.plan == planA)
        state.apply(verdictA.plan)

        let verdictB = PlanVerifier.evaluate(plan: planB, state: state)
        #expect(verdictB.rejectedNodes.keys.sorted() == ["n1"])
        #expect(verdictB.rejectedNodes["n1"] == "cpu exhausted")
        #expect(verdictB.acceptedNodes.isEmpty)
        #expect(verdictB.plan.nodeAllocation.isEmpty)
        #expect(!verdictB.plan.hasEvalUpdate)
        #expect(verdictB.plan.createdEvals.isEmpty)
    }

    @Test("a partially rejected plan keeps the accepted nodes; all_at_once rejects everything")
    func partialAndAllAtOnce() throws {
        for allAtOnce in [false, true] {
            var state = Fixtures.cluster(2)
            var job = Fixtures.job(count: 2)
            job.allAtOnce = allAtOnce
            job.constraints = [Fixtures.constraint("", "distinct_hosts", "")]
            state.upsert(job)
            let plan = Fixtures.schedule(state, job: job)
            #expect(plan.allAtOnce == allAtOnce)
            #expect(Set(plan.placed.map(\.nodeID)) == ["n1", "n2"])
            state.update(node: "n2") { $0.status = .down }
            let verdict = PlanVerifier.evaluate(plan: plan, state: state)
            #expect(verdict.rejectedNodes == ["n2": "node is not ready"])
            #expect(!verdict.plan.hasEvalUpdate)
            if allAtOnce {
                #expect(verdict.acceptedNodes.isEmpty)
                #expect(verdict.plan.nodeAllocation.isEmpty)
            } else {
                #expect(verdict.acceptedNodes == ["n1"])
                #expect(verdict.plan.nodeAllocation.keys.sorted() == ["n1"])
            }
        }
    }

    @Test("a missing node is rejected; stops on it are kept")
    func missingNode() {
        var state = Fixtures.cluster(2)
        let job = Fixtures.job()
        state.upsert(job)
        state.add(Fixtures.allocation("a0", job: job, node: "n2"))
        var plan = Fixtures.schedule(state, job: job)
        var stop = Caravan_V1_PlanAllocStop()
        stop.allocID = "a0"
        stop.desiredStatus = .stop
        plan.nodeUpdate["n2"] = Caravan_V1_PlanNodeStops.with { $0.stops = [stop] }
        var placed = Fixtures.allocation("new", job: job, node: "ghost")
        placed.desiredStatus = .run
        plan.nodeAllocation["ghost"] = Caravan_V1_PlanNodeAllocations.with { $0.allocations = [placed] }
        let verdict = PlanVerifier.evaluate(plan: plan, state: state)
        #expect(verdict.rejectedNodes["ghost"] == "node does not exist")
        #expect(verdict.plan.nodeUpdate["n2"]?.stops.count == 1)
    }

    @Test("stops and in-place updates free or keep capacity; duplicate host ports are rejected")
    func stopsAndPorts() throws {
        var state = Fixtures.cluster(1)
        let job = Fixtures.job(cpu: 3000)
        state.upsert(job)
        state.add(Fixtures.allocation("a0", job: job, node: "n1"))
        var replacement = Fixtures.allocation("a1", job: job, node: "n1")
        replacement.clientStatus = .pending
        var plan = Caravan_V1_Plan()
        plan.nodeAllocation["n1"] = Caravan_V1_PlanNodeAllocations.with { $0.allocations = [replacement] }
        #expect(PlanVerifier.evaluate(plan: plan, state: state).rejectedNodes["n1"] == "cpu exhausted")
        var stop = Caravan_V1_PlanAllocStop()
        stop.allocID = "a0"
        stop.desiredStatus = .stop
        plan.nodeUpdate["n1"] = Caravan_V1_PlanNodeStops.with { $0.stops = [stop] }
        #expect(PlanVerifier.evaluate(plan: plan, state: state).isFullyAccepted)

        var inPlace = Fixtures.allocation("a0", job: job, node: "n1")
        inPlace.jobVersion = 1
        let updatePlan = Caravan_V1_Plan.with {
            $0.nodeAllocation["n1"] = Caravan_V1_PlanNodeAllocations.with { $0.allocations = [inPlace] }
        }
        #expect(PlanVerifier.evaluate(plan: updatePlan, state: state).isFullyAccepted)

        let small = Fixtures.job("small", cpu: 10)
        func withPort(_ id: String) -> Caravan_V1_Allocation {
            var allocation = Fixtures.allocation(id, job: small, node: "n1")
            var network = Caravan_V1_AllocatedNetwork()
            var port = Caravan_V1_AllocatedPort()
            port.value = 25000
            network.ports = [port]
            allocation.allocatedResources.shared.networks = [network]
            return allocation
        }
        let portPlan = Caravan_V1_Plan.with {
            $0.nodeAllocation["n1"] = Caravan_V1_PlanNodeAllocations.with {
                $0.allocations = [withPort("p1"), withPort("p2")]
            }
        }
        #expect(PlanVerifier.evaluate(plan: portPlan, state: state).rejectedNodes["n1"] == "port 25000 already in use")
    }

    @Test("bridge capacity is enforced")
    func bridgeCapacity() {
        var state = TestState()
        state.add(Fixtures.node("n1", networkModes: ["bridge"], bridgeCapacity: 1))
        let job = Fixtures.job(cpu: 10)
        func bridged(_ id: String) -> Caravan_V1_Allocation {
            var allocation = Fixtures.allocation(id, job: job, node: "n1")
            var network = Caravan_V1_AllocatedNetwork()
            network.mode = "bridge"
            allocation.allocatedResources.shared.networks = [network]
            return allocation
        }
        state.add(bridged("b0"))
        let plan = Caravan_V1_Plan.with {
            $0.nodeAllocation["n1"] = Caravan_V1_PlanNodeAllocations.with { $0.allocations = [bridged("b1")] }
        }
        #expect(PlanVerifier.evaluate(plan: plan, state: state).rejectedNodes["n1"] == "bridge addresses exhausted")
    }
}
