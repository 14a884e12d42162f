import CaravanProto
import Scheduler
import Testing

@Suite("Placement failure text")
struct PlacementFailureTextTests {
    @Test("lines are sorted, singular or plural, one per reason")
    func lines() {
        var metric = Caravan_V1_AllocMetric()
        metric.nodesEvaluated = 7
        metric.constraintFiltered = [
            "host volume mysql": 2, "${attr.kernel.name} = windows": 1, "missing driver \"exec\"": 1,
            "distinct_hosts": 3,
        ]
        metric.dimensionExhausted = ["memory": 3, "cpu": 1]
        #expect(
            PlacementFailureText.lines(for: metric) == [
                "1 node excluded by constraint ${attr.kernel.name} = windows",
                "1 node excluded by missing driver \"exec\"",
                "2 nodes excluded by host volume mysql",
                "3 nodes excluded by constraint distinct_hosts",
                "Dimension cpu exhausted on 1 node",
                "Dimension memory exhausted on 3 nodes",
            ])
    }

    @Test("no evaluated nodes says so")
    func noNodes() {
        #expect(PlacementFailureText.lines(for: Caravan_V1_AllocMetric()) == ["No nodes were eligible for evaluation"])
    }

    @Test("the text of a real failure names the volume")
    func fromScheduler() throws {
        var state = Fixtures.cluster(2)
        var job = Fixtures.job()
        var request = Caravan_V1_VolumeRequest()
        request.type = "host"
        request.source = "mysql"
        job.taskGroups[0].volumes = ["data": request]
        state.upsert(job)
        let metric = try #require(Fixtures.schedule(state, job: job).evalUpdate.failedTgAllocs["web"])
        #expect(PlacementFailureText.lines(for: metric) == ["2 nodes excluded by host volume mysql"])
    }
}
