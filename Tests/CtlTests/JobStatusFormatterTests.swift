import CaravanProto
import Testing

@testable import CtlCommands

@Suite("job status output")
struct JobStatusFormatterTests {
    static func detail(evaluations: [Caravan_V1_Evaluation], queued: Int32 = 0) -> JobStatusFormatter.Detail {
        let job = Caravan_V1_Job.with {
            $0.id = "web"
            $0.name = "web"
            $0.type = .service
            $0.priority = 50
            $0.datacenters = ["dc1", "dc2"]
            $0.status = .running
            $0.version = 3
            $0.submitTime = Fixture.timestamp(secondsAgo: 600)
            $0.taskGroups = [.with { $0.name = "web" }, .with { $0.name = "db" }]
        }
        let summary = Caravan_V1_JobSummary.with {
            $0.summary = [
                "web": .with { $0.running = 2 },
                "db": .with { $0.queued = queued },
            ]
        }
        let allocations = [
            Fixture.alloc("0f1e2d3c-0000-4000-8000-00000000000a", createIndex: 10, secondsAgo: 310),
            Fixture.alloc("9e8d7c6b-0000-4000-8000-00000000000b", createIndex: 11, secondsAgo: 45),
        ]
        return .init(job: job, summary: summary, evaluations: evaluations, allocations: allocations)
    }

    @Test("one job: header, summary in group order, placement failures of the newest failing evaluation, allocations")
    func detailWithFailures() {
        var older = Fixture.evaluation(status: .complete, createIndex: 5, failures: ["web": .init()])
        older.id = "older"
        let latest = Fixture.evaluation(
            status: .complete, createIndex: 9, failures: ["db": Fixture.volumeAndMemoryMetric()],
            blocked: Fixture.blockedID)
        var blocked = Fixture.evaluation(status: .blocked, createIndex: 9)
        blocked.id = Fixture.blockedID
        let text = JobStatusFormatter.detail(
            Self.detail(evaluations: [older, latest, blocked], queued: 2), now: Fixture.now)
        #expect(
            text == """
                ID          = web
                Name        = web
                Submit Date = 2023-11-14T22:03:20Z
                Type        = service
                Priority    = 50
                Datacenters = dc1,dc2
                Namespace   = default
                Status      = running
                Version     = 3

                Summary
                Task Group  Queued  Starting  Running  Failed  Complete  Lost
                web         0       0         2        0       0         0
                db          2       0         0        0       0         0

                Placement Failure
                Task Group "db": 2 nodes excluded by host volume mysql
                Task Group "db": Dimension memory exhausted on 3 nodes

                Allocations
                ID        Node ID   Task Group  Version  Desired  Status   Created
                9e8d7c6b  a1b2c3d4  web         3        run      running  45s ago
                0f1e2d3c  a1b2c3d4  web         3        run      running  5m10s ago
                """)
    }

    @Test("failures that no longer hold anything back (nothing blocked or queued) are not shown")
    func resolvedFailures() {
        let old = Fixture.evaluation(status: .complete, failures: ["db": Fixture.volumeAndMemoryMetric()])
        let text = JobStatusFormatter.detail(Self.detail(evaluations: [old]), now: Fixture.now)
        #expect(!text.contains("Placement Failure"))
    }

    @Test("-verbose shows full IDs in the allocation table")
    func verbose() {
        let text = JobStatusFormatter.allocationTable(
            [Fixture.alloc("0f1e2d3c-0000-4000-8000-00000000000a")], now: Fixture.now, verbose: true)
        #expect(text.contains("0f1e2d3c-0000-4000-8000-00000000000a  \(Fixture.nodeID)"))
    }

    @Test("the job list shows ID, type, priority, status and submit date")
    func list() {
        let jobs: [Caravan_V1_JobListStub] = [
            .with {
                $0.id = "web"
                $0.type = .service
                $0.priority = 50
                $0.status = .running
                $0.submitTime = Fixture.timestamp(secondsAgo: 0)
            },
            .with {
                $0.id = "nightly-report"
                $0.type = .batch
                $0.priority = 70
                $0.status = .dead
            },
        ]
        #expect(
            JobStatusFormatter.list(jobs) == """
                ID              Type     Priority  Status   Submit Date
                web             service  50        running  2023-11-14T22:13:20Z
                nightly-report  batch    70        dead     -
                """)
        #expect(JobStatusFormatter.list([]) == "No running jobs")
    }
}
