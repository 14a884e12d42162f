import CaravanProto
import Testing

@testable import CtlCommands

@Suite("job status deployment and children sections")
struct JobStatusSectionsTests {
    @Test("a job with a deployment shows Latest Deployment, with its group table, before the allocations")
    func latestDeployment() {
        var detail = JobStatusFormatterTests.detail(evaluations: [])
        detail.latestDeployment = .with {
            $0.id = DeploymentFormatterTests.id
            $0.status = .running
            $0.statusDescription = "Deployment is running"
            $0.taskGroups = [
                "web": .with {
                    $0.desiredTotal = 2
                    $0.placedAllocs = 1
                }
            ]
        }
        let text = JobStatusFormatter.detail(detail, now: Fixture.now)
        #expect(
            text.contains(
                """

                Latest Deployment
                ID          = 0b23b149
                Status      = running
                Description = Deployment is running

                Deployed
                Task Group  Desired  Placed  Healthy  Unhealthy
                web         2        1       0        0

                Allocations
                """), "\(text)")
    }

    @Test("a job without deployments has no Latest Deployment section")
    func noDeployment() {
        let text = JobStatusFormatter.detail(JobStatusFormatterTests.detail(evaluations: []), now: Fixture.now)
        #expect(!text.contains("Latest Deployment") && text.contains("Summary"))
    }

    @Test("a periodic parent shows its children's counts and list, newest first, instead of allocations")
    func periodicChildren() {
        var detail = JobStatusFormatterTests.detail(evaluations: [])
        detail.job.periodic = .with { $0.crons = ["*/5 * * * *"] }
        detail.children = [
            .with {
                $0.id = "web/periodic-100"
                $0.status = .dead
                $0.createIndex = 5
            },
            .with {
                $0.id = "web/periodic-400"
                $0.status = .running
                $0.createIndex = 9
            },
        ]
        let text = JobStatusFormatter.detail(detail, now: Fixture.now)
        #expect(
            text.hasSuffix(
                """
                Version     = 3

                Children Job Summary
                Pending  Running  Dead
                0        1        1

                Previously Launched Jobs
                ID                Status
                web/periodic-400  running
                web/periodic-100  dead
                """), "\(text)")
        #expect(!text.contains("Allocations"))
    }

    @Test("a parameterized parent without dispatches says so")
    func noDispatches() {
        var detail = JobStatusFormatterTests.detail(evaluations: [])
        detail.job.parameterized = .init()
        let text = JobStatusFormatter.detail(detail, now: Fixture.now)
        #expect(text.contains("Parameterized Job Summary\nPending  Running  Dead\n0        0        0"), "\(text)")
        #expect(text.hasSuffix("No dispatched instances of parameterized job found"))
    }
}
