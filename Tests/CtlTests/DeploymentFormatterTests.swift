import CaravanProto
import SwiftProtobuf
import Testing

@testable import CtlCommands

@Suite("deployment output")
struct DeploymentFormatterTests {
    static let id = "0b23b149-0000-4000-8000-000000000001"

    /// A canary rollout of "web" v4: group "web" with auto-revert, a deadline and one canary; "db" plain.
    static func deployment(status: Caravan_V1_DeploymentStatus = .running) -> Caravan_V1_Deployment {
        .with {
            $0.id = id
            $0.jobID = "web"
            $0.jobVersion = 4
            $0.status = status
            $0.statusDescription = "Deployment is running but requires manual promotion"
            $0.taskGroups = [
                "web": .with {
                    $0.autoRevert = true
                    $0.desiredCanaries = 1
                    $0.desiredTotal = 3
                    $0.placedCanaries = ["c1"]
                    $0.placedAllocs = 1
                    $0.healthyAllocs = 1
                    $0.progressDeadline = .init(seconds: 600)
                    $0.requireProgressBy = Fixture.timestamp(secondsAgo: -600)
                },
                "db": .with {
                    $0.desiredTotal = 1
                    $0.placedAllocs = 1
                    $0.unhealthyAllocs = 1
                },
            ]
        }
    }

    @Test("status: the header, then Deployed with a row per group sorted by name, N/A where a column does not apply")
    func status() {
        #expect(
            DeploymentFormatter.status(Self.deployment()) == """
                ID          = 0b23b149
                Job ID      = web
                Job Version = 4
                Status      = running
                Description = Deployment is running but requires manual promotion

                Deployed
                Task Group  Auto Revert  Promoted  Desired  Canaries  Placed  Healthy  Unhealthy  Progress Deadline
                db          false        N/A       1        0         1       0        1          N/A
                web         true         false     3        1         1       1        0          2023-11-14T22:23:20Z
                """)
    }

    @Test("without canaries, auto-revert or deadlines those columns are left out, as Nomad does")
    func plainColumns() {
        let plain = Caravan_V1_Deployment.with {
            $0.taskGroups = ["web": .with { $0.desiredTotal = 2 }]
        }
        #expect(
            DeploymentFormatter.groups(plain) == """
                Task Group  Desired  Placed  Healthy  Unhealthy
                web         2        0       0        0
                """)
    }

    @Test("list: one row per deployment with full IDs under -verbose; an empty list says so")
    func list() {
        #expect(DeploymentFormatter.list([]) == "No deployments found")
        let text = DeploymentFormatter.list([Self.deployment(status: .successful)], verbose: true)
        #expect(
            text == """
                ID                                    Job ID  Job Version  Status      Description
                0b23b149-0000-4000-8000-000000000001  web     4            successful  \
                Deployment is running but requires manual promotion
                """)
    }

    @Test("a progress line names every group's counts and the canaries' promotion")
    func progress() {
        #expect(
            DeploymentFormatter.progress(Self.deployment()) == "    Deployment \"0b23b149\" running: "
                + "db 1/1 placed, 0 healthy, 1 unhealthy; web 1/3 placed, 1 healthy, 0 unhealthy, canaries 1/1 "
                + "(not promoted)")
    }
}
