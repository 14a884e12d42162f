import CaravanProto
import Scheduler
import Testing

@Suite("Fit")
struct FitTests {
    @Test("a node without enough cpu or memory is skipped and counted as exhausted", arguments: ["cpu", "memory"])
    func resourceExhausted(_ dimension: String) throws {
        var state = TestState()
        state.add(Fixtures.node("n1", cpu: dimension == "cpu" ? 400 : 4000, memory: dimension == "memory" ? 200 : 8192))
        state.add(Fixtures.node("n2"))
        let job = Fixtures.job()
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        let placed = try #require(plan.placed.first)
        #expect(placed.nodeID == "n2")
        #expect(placed.metrics.dimensionExhausted[dimension] == 1)
        #expect(placed.metrics.nodesExhausted == 1)
    }

    @Test("reserved cpu and memory are not allocatable")
    func reservedResources() throws {
        var state = TestState()
        var node = Fixtures.node("n1", cpu: 1000, memory: 1024)
        node.reserved.cpuMhz = 600
        state.add(node)
        let job = Fixtures.job(cpu: 500)
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        #expect(plan.placed.isEmpty)
        #expect(plan.evalUpdate.failedTgAllocs["web"]?.dimensionExhausted["cpu"] == 1)
    }

    @Test("usage from running allocations and earlier placements of the plan is respected")
    func usageAccumulates() throws {
        var state = Fixtures.cluster(1)
        let other = Fixtures.job("other", cpu: 2000)
        state.upsert(other)
        state.add(Fixtures.allocation("busy", job: other, node: "n1"))
        let job = Fixtures.job(count: 5, cpu: 500)
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        #expect(plan.placed.count == 4)
        #expect(plan.evalUpdate.queuedAllocations["web"] == 1)
        #expect(plan.evalUpdate.failedTgAllocs["web"]?.dimensionExhausted["cpu"] == 1)
    }

    @Test("a static port taken on one node sends the allocation to another")
    func staticPortCollision() throws {
        var state = Fixtures.cluster(2)
        var holder = Fixtures.job("holder")
        holder.taskGroups[0].networks = [Caravan_V1_NetworkResource()]
        state.upsert(holder)
        var busy = Fixtures.allocation("busy", job: holder, node: "n1")
        var network = Caravan_V1_AllocatedNetwork()
        network.mode = "host"
        var port = Caravan_V1_AllocatedPort()
        port.label = "http"
        port.value = 9090
        network.ports = [port]
        busy.allocatedResources.shared.networks = [network]
        state.add(busy)
        var job = Fixtures.job()
        var request = Caravan_V1_NetworkResource()
        request.reservedPorts = [Fixtures.port("http", 9090)]
        job.taskGroups[0].networks = [request]
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        let placed = try #require(plan.placed.first)
        #expect(placed.nodeID == "n2")
        #expect(placed.metrics.dimensionExhausted["static port 9090"] == 1)
        let ports = placed.allocatedResources.shared.networks.first?.ports ?? []
        #expect(ports.map(\.value) == [9090])
        #expect(ports.map(\.to) == [9090])
        #expect(placed.allocatedResources.shared.networks.first?.mode == "host")
    }

    @Test("when every node has the static port the placement fails and a blocked evaluation is created")
    func staticPortEverywhereTaken() throws {
        var state = Fixtures.cluster(2) { index, node in
            node.reserved.reservedHostPorts = index == 1 ? "22,9090" : "9000-9100"
        }
        var job = Fixtures.job(count: 2)
        var request = Caravan_V1_NetworkResource()
        request.reservedPorts = [Fixtures.port("http", 9090)]
        job.taskGroups[0].networks = [request]
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        #expect(plan.placed.isEmpty)
        let metric = try #require(plan.evalUpdate.failedTgAllocs["web"])
        #expect(metric.dimensionExhausted["static port 9090"] == 2)
        #expect(metric.coalescedFailures == 1)
        #expect(plan.evalUpdate.queuedAllocations["web"] == 2)
        let blocked = try #require(plan.createdEvals.first)
        #expect(blocked.status == .blocked)
        #expect(blocked.triggeredBy == "queued-allocs")
        #expect(blocked.previousEval == "eval-1")
        #expect(plan.evalUpdate.blockedEval == blocked.id)
        #expect(plan.evalUpdate.status == .complete)
        #expect(blocked.jobID == "web")
        #expect(blocked.namespace == "default")
        #expect(blocked.type == "service")
        #expect(blocked.priority == 50)
        #expect(blocked.createTime.date == Fixtures.now)
        #expect(plan.evalUpdate.snapshotIndex == state.index)
    }

    @Test("the same static port twice on one node is impossible within one plan")
    func staticPortWithinPlan() throws {
        var state = Fixtures.cluster(1)
        var job = Fixtures.job(count: 2)
        var request = Caravan_V1_NetworkResource()
        request.reservedPorts = [Fixtures.port("http", 8080)]
        job.taskGroups[0].networks = [request]
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        #expect(plan.placed.count == 1)
        #expect(plan.evalUpdate.queuedAllocations["web"] == 1)
    }

    @Test("dynamic ports are distinct and inside 20000-32000; to follows the request")
    func dynamicPorts() throws {
        var state = Fixtures.cluster(1)
        var job = Fixtures.job(count: 6, cpu: 100)
        var request = Caravan_V1_NetworkResource()
        request.dynamicPorts = [Fixtures.port("http", to: 8080), Fixtures.port("admin"), Fixtures.port("x", to: -1)]
        job.taskGroups[0].networks = [request]
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        #expect(plan.placed.count == 6)
        let ports = plan.placed.flatMap { $0.allocatedResources.shared.networks.flatMap(\.ports) }
        #expect(ports.count == 18)
        #expect(Set(ports.map(\.value)).count == 18)
        #expect(ports.allSatisfy { (20000...32000).contains($0.value) })
        #expect(ports.filter { $0.label == "http" }.allSatisfy { $0.to == 8080 })
        #expect(ports.filter { $0.label != "http" }.allSatisfy { $0.to == $0.value })
    }

    @Test("bridge mode needs a node that supports it and a free bridge address")
    func bridge() throws {
        var state = TestState()
        state.add(Fixtures.node("n1", networkModes: ["host", "bridge"], bridgeCapacity: 2))
        state.add(Fixtures.node("n2"))
        var job = Fixtures.job(count: 3)
        var request = Caravan_V1_NetworkResource()
        request.mode = "bridge"
        job.taskGroups[0].networks = [request]
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        #expect(plan.placed.count == 2)
        #expect(plan.placed.allSatisfy { $0.nodeID == "n1" })
        #expect(plan.placed.allSatisfy { $0.allocatedResources.shared.networks.first?.mode == "bridge" })
        #expect(plan.placed.allSatisfy { $0.allocatedResources.shared.networks.first?.ip == "" })
        let metric = try #require(plan.evalUpdate.failedTgAllocs["web"])
        #expect(metric.dimensionExhausted["bridge addresses"] == 1)
        #expect(metric.constraintFiltered["network mode bridge"] == 1)
    }

    @Test("host volumes: only nodes exposing the volume qualify")
    func hostVolumePresence() throws {
        var state = TestState()
        state.add(Fixtures.node("n1", volumes: ["mysql": false]))
        state.add(Fixtures.node("n2"))
        state.add(Fixtures.node("n3", volumes: ["other": false]))
        var job = Fixtures.job(count: 2)
        var request = Caravan_V1_VolumeRequest()
        request.name = "data"
        request.type = "host"
        request.source = "mysql"
        job.taskGroups[0].volumes = ["data": request]
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        #expect(plan.placed.map(\.nodeID) == ["n1", "n1"])
        #expect(plan.placed.first?.metrics.constraintFiltered["host volume mysql"] == 2)
    }

    @Test(
        "a read-only host volume refuses read-write requests and accepts read-only ones",
        arguments: [(false, false), (true, true)])
    func hostVolumeReadOnly(_ requestReadOnly: Bool, _ placed: Bool) throws {
        var state = TestState()
        state.add(Fixtures.node("n1", volumes: ["mysql": true]))
        var job = Fixtures.job()
        var request = Caravan_V1_VolumeRequest()
        request.type = "host"
        request.source = "mysql"
        request.readOnly = requestReadOnly
        job.taskGroups[0].volumes = ["data": request]
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        #expect(plan.placed.count == (placed ? 1 : 0))
        if !placed {
            #expect(plan.evalUpdate.failedTgAllocs["web"]?.constraintFiltered["host volume mysql is read-only"] == 1)
        }
    }
}
