import CaravanProto
import Testing

@testable import CtlCommands

@Suite("Deployment monitor")
struct DeploymentMonitorTests {
    static func deployment(
        _ status: Caravan_V1_DeploymentStatus, placed: Int32, healthy: Int32, index: UInt64,
        description: String = "Deployment is running"
    ) -> Caravan_V1_Deployment {
        .with {
            $0.id = DeploymentFormatterTests.id
            $0.jobID = "web"
            $0.status = status
            $0.statusDescription = description
            $0.modifyIndex = index
            $0.taskGroups = [
                "web": .with {
                    $0.desiredTotal = 2
                    $0.placedAllocs = placed
                    $0.healthyAllocs = healthy
                }
            ]
        }
    }

    @Test("follows with blocking queries, prints a line only when counts change, exits 0 on success")
    func succeeds() async throws {
        let source = ScriptedDeployments(answers: [
            (Self.deployment(.running, placed: 1, healthy: 0, index: 5), 5),
            (Self.deployment(.running, placed: 1, healthy: 0, index: 5), 5),
            (Self.deployment(.running, placed: 2, healthy: 1, index: 8), 8),
            (
                Self.deployment(
                    .successful, placed: 2, healthy: 2, index: 9, description: "Deployment completed successfully"), 9
            ),
        ])
        let pauses = Counter()
        let monitor = DeploymentMonitor(source: source, pause: { pauses.increment() })
        var printed: [String] = []
        let status = try await monitor.run(deploymentID: "0b23") { printed.append($0) }
        #expect(status == 0)
        #expect(source.askedIndexes == [0, 5, 5, 8])
        #expect(source.askedIDs.dropFirst().allSatisfy { $0 == DeploymentFormatterTests.id })
        #expect(pauses.value == 1)
        #expect(
            Array(printed.prefix(5)) == [
                "==> Monitoring deployment \"0b23b149\"",
                "    Deployment \"0b23b149\" running: web 1/2 placed, 0 healthy, 0 unhealthy",
                "    Deployment \"0b23b149\" running: web 2/2 placed, 1 healthy, 0 unhealthy",
                "    Deployment \"0b23b149\" successful: web 2/2 placed, 2 healthy, 0 unhealthy",
                "==> Deployment \"0b23b149\" successful",
            ])
        #expect(printed.contains("    Description = Deployment completed successfully"), "\(printed)")
    }

    @Test(
        "a failed deployment prints its description (with the rollback) and exits 1",
        arguments: [
            (Caravan_V1_DeploymentStatus.failed, "Failed due to unhealthy allocations - rolling back to job version 3"),
            (.cancelled, "Cancelled due to newer version of job"),
        ])
    func fails(status: Caravan_V1_DeploymentStatus, description: String) async throws {
        let source = ScriptedDeployments(answers: [
            (Self.deployment(status, placed: 2, healthy: 1, index: 5, description: description), 5)
        ])
        var printed: [String] = []
        let exit = try await DeploymentMonitor(source: source, pause: {}).run(deploymentID: "0b23") {
            printed.append($0)
        }
        #expect(exit == 1)
        #expect(printed.contains("==> Deployment \"0b23b149\" \(status.displayName): \(description)"), "\(printed)")
    }

    @Test("the deployment followed after an evaluation: its own, else the new version's if active or just created")
    func lookup() {
        let evaluation = Caravan_V1_Evaluation.with { $0.createIndex = 20 }
        let old = Caravan_V1_Deployment.with {
            $0.id = "old"
            $0.jobVersion = 3
            $0.status = .successful
            $0.createIndex = 10
        }
        var fresh = old
        fresh.id = "fresh"
        fresh.createIndex = 21
        #expect(DeploymentLookup.started(by: evaluation, jobVersion: 3, deployments: [old]) == nil)
        #expect(DeploymentLookup.started(by: evaluation, jobVersion: 3, deployments: [old, fresh])?.id == "fresh")
        #expect(DeploymentLookup.started(by: evaluation, jobVersion: 4, deployments: [old, fresh]) == nil)
        var running = old
        running.status = .running
        #expect(DeploymentLookup.started(by: evaluation, jobVersion: 3, deployments: [running])?.id == "old")
        var named = evaluation
        named.deploymentID = "old"
        #expect(DeploymentLookup.started(by: named, jobVersion: 9, deployments: [old, fresh])?.id == "old")
    }
}

/// Answers `deployment` calls from a script, recording what was asked.
final class ScriptedDeployments: DeploymentSource {
    var answers: [(Caravan_V1_Deployment, UInt64)]
    var askedIndexes: [UInt64] = []
    var askedIDs: [String] = []

    init(answers: [(Caravan_V1_Deployment, UInt64)]) { self.answers = answers }

    func deployment(_ id: String, after index: UInt64) async throws -> (Caravan_V1_Deployment, UInt64) {
        askedIDs.append(id)
        askedIndexes.append(index)
        guard !answers.isEmpty else { throw CancellationError() }
        return answers.removeFirst()
    }
}
