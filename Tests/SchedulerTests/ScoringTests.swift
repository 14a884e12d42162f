import CaravanProto
import Scheduler
import Testing

@Suite("Scoring")
struct ScoringTests {
    @Test("binpack prefers the fuller node")
    func binpackPrefersFuller() throws {
        for seed: UInt64 in [1, 2, 3, 4, 5] {
            var state = Fixtures.cluster(2)
            let other = Fixtures.job("other", cpu: 2000, memory: 4096)
            state.upsert(other)
            state.add(Fixtures.allocation("busy", job: other, node: "n2"))
            let job = Fixtures.job()
            state.upsert(job)
            let plan = Fixtures.schedule(state, job: job, seed: seed)
            let placed = try #require(plan.placed.first)
            #expect(placed.nodeID == "n2")
            let score = try #require(placed.metrics.scores.first)
            #expect(score.nodeID == "n2")
            #expect((score.scores["binpack"] ?? 0) > 0)
        }
    }

    @Test("job anti-affinity spreads allocations of one group over nodes")
    func antiAffinity() throws {
        for seed: UInt64 in [1, 2, 3] {
            var state = Fixtures.cluster(3)
            let job = Fixtures.job(count: 3)
            state.upsert(job)
            let plan = Fixtures.schedule(state, job: job, seed: seed)
            #expect(Set(plan.placed.map(\.nodeID)).count == 3)
        }
    }

    @Test("a matching affinity attracts the allocation and is scored as node-affinity")
    func affinity() throws {
        for seed: UInt64 in [1, 2, 3, 4] {
            var state = Fixtures.cluster(6) { index, node in node.meta["tier"] = index == 4 ? "gold" : "bronze" }
            var job = Fixtures.job()
            var affinity = Caravan_V1_Affinity()
            affinity.lTarget = "${meta.tier}"
            affinity.operand = "="
            affinity.rTarget = "gold"
            affinity.weight = 100
            job.affinities = [affinity]
            state.upsert(job)
            let plan = Fixtures.schedule(state, job: job, seed: seed)
            let placed = try #require(plan.placed.first)
            #expect(placed.nodeID == "n4")
            #expect(placed.metrics.scores.first?.scores["node-affinity"] == 1)
        }
    }

    @Test("a negative affinity repels")
    func antiAffinityWeight() throws {
        var state = Fixtures.cluster(2) { index, node in node.meta["tier"] = index == 1 ? "spot" : "stable" }
        var job = Fixtures.job(count: 1)
        var affinity = Caravan_V1_Affinity()
        affinity.lTarget = "${meta.tier}"
        affinity.operand = "="
        affinity.rTarget = "spot"
        affinity.weight = -50
        job.taskGroups[0].affinities = [affinity]
        state.upsert(job)
        #expect(Fixtures.schedule(state, job: job).placed.first?.nodeID == "n2")
    }

    @Test("spread with 50/50 targets splits allocations evenly over two datacenters", arguments: [true, false])
    func spreadDatacenters(_ withTargets: Bool) throws {
        var state = Fixtures.cluster(4) { index, node in node.datacenter = index <= 2 ? "dc1" : "dc2" }
        var job = Fixtures.job(count: 10, datacenters: ["dc1", "dc2"])
        var spread = Caravan_V1_Spread()
        spread.attribute = "${node.datacenter}"
        spread.weight = 100
        if withTargets {
            var first = Caravan_V1_SpreadTarget()
            first.value = "dc1"
            first.percent = 50
            var second = Caravan_V1_SpreadTarget()
            second.value = "dc2"
            second.percent = 50
            spread.targets = [first, second]
        }
        job.spreads = [spread]
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        #expect(plan.placed.count == 10)
        let dc1 = plan.placed.filter { $0.nodeID == "n1" || $0.nodeID == "n2" }.count
        #expect(dc1 == 5)
    }

    @Test("spread targets of 80/20 are honoured")
    func spreadUneven() throws {
        var state = Fixtures.cluster(4) { index, node in node.datacenter = index <= 2 ? "dc1" : "dc2" }
        var job = Fixtures.job(count: 10, cpu: 100, datacenters: ["dc1", "dc2"])
        var spread = Caravan_V1_Spread()
        spread.attribute = "${node.datacenter}"
        spread.weight = 100
        var first = Caravan_V1_SpreadTarget()
        first.value = "dc1"
        first.percent = 80
        spread.targets = [first]
        job.spreads = [spread]
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        let dc1 = plan.placed.filter { $0.nodeID == "n1" || $0.nodeID == "n2" }.count
        #expect(dc1 == 8)
    }
}
