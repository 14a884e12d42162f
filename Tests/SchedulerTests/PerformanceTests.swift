import CaravanProto
import Foundation
import Scheduler
import Testing

@Suite("Performance")
struct PerformanceTests {
    @Test("a service job of count 100 on 5,000 nodes places everything (timing printed)")
    func largeCluster() {
        var state = Fixtures.cluster(5000) { index, node in node.datacenter = index % 2 == 0 ? "dc1" : "dc2" }
        var job = Fixtures.job(count: 100, datacenters: ["dc1", "dc2"])
        var request = Caravan_V1_NetworkResource()
        request.dynamicPorts = [Fixtures.port("http")]
        job.taskGroups[0].networks = [request]
        state.upsert(job)
        let clock = ContinuousClock()
        var plan = Caravan_V1_Plan()
        let elapsed = clock.measure { plan = Fixtures.schedule(state, job: job) }
        print("schedule(count: 100, nodes: 5000) took \(elapsed)")
        #expect(plan.placed.count == 100)
        #expect(Set(plan.placed.map(\.nodeID)).count == 100)
        // Nomad's limit: ceil(log2(5000)) = 13 fitting nodes are scored per placement, not all 5,000.
        #expect(plan.placed.allSatisfy { $0.metrics.nodesEvaluated == 13 })
        #expect(plan.placed.first?.metrics.nodesAvailable == ["dc1": 2500, "dc2": 2500])
    }

    @Test("batch placements score two fitting nodes")
    func batchLimit() {
        var state = Fixtures.cluster(64)
        let job = Fixtures.job(type: .batch, count: 3)
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        #expect(plan.placed.count == 3)
        #expect(plan.placed.allSatisfy { $0.metrics.nodesEvaluated == 2 })
    }

    @Test("filtered nodes do not count towards the limit")
    func limitSkipsFiltered() {
        var state = Fixtures.cluster(64) { index, node in
            if index > 4 { node.attributes["kernel.name"] = "windows" }
        }
        let job = Fixtures.job(type: .batch, count: 1)
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        #expect(plan.placed.count == 1)
        let metric = plan.placed.first?.metrics ?? Caravan_V1_AllocMetric()
        #expect(metric.nodesEvaluated - metric.nodesFiltered == 2)
    }
}
