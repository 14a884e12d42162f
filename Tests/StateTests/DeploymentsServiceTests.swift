import CaravanProto
import CaravanRPC
import CaravanServer
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Scheduler
import State
import TestSupport
import Testing

/// `caravan.v1.Deployments` and the deployment side of `caravan.v1.Jobs` over mutual TLS on the single-process
/// replicated state: deployments are written as the plan applier and clients write them, then read, promoted,
/// failed, paused and resumed through the services. Every refusal leaves the state as it was.
@Suite("Deployments service over mTLS", .timeLimit(.minutes(2)))
struct DeploymentsServiceTests {
    typealias Jobs = Caravan_V1_Jobs.Client<HTTP2ClientTransport.Posix>
    typealias Deployments = Caravan_V1_Deployments.Client<HTTP2ClientTransport.Posix>
    typealias Evaluations = Caravan_V1_Evaluations.Client<HTTP2ClientTransport.Posix>

    static let first = "aaaa1111-0000-4000-8000-000000000001"
    static let second = "aaaa2222-0000-4000-8000-000000000002"
    static let node = "node-1"

    /// The services, their clients, and the state to write what the scheduler and clients would write.
    struct Bed {
        let state: LocalReplicatedState
        let jobs: Jobs
        let deployments: Deployments
        let evaluations: Evaluations

        /// Registers "api" twice (versions 0 and 1; v0 marked stable) and returns the state's index.
        func registerTwoVersions() async throws {
            _ = try await jobs.register(.with { $0.job = JobsServiceTests.job("api") })
            var changed = JobsServiceTests.job("api")
            changed.meta = ["release": "2"]
            _ = try await jobs.register(.with { $0.job = changed })
            _ = try await jobs.stable(
                .with {
                    $0.jobID = "api"
                    $0.version = 0
                    $0.stable = true
                })
        }

        /// A plan creating deployment `id` for version 1 of "api", with `canaries` canary allocations placed.
        func plan(_ id: String, canaries: Int32 = 0, autoRevert: Bool = false) async throws {
            var plan = Caravan_V1_Plan()
            plan.jobID = "api"
            plan.namespace = "default"
            plan.jobVersion = 1
            plan.deployment = .with {
                $0.id = id
                $0.namespace = "default"
                $0.jobID = "api"
                $0.jobVersion = 1
                $0.status = .running
                $0.statusDescription = canaries > 0 ? DeploymentText.needsPromotion : DeploymentText.running
                $0.taskGroups["web"] = .with {
                    $0.autoRevert = autoRevert
                    $0.desiredCanaries = canaries
                    $0.desiredTotal = 2
                }
            }
            let allocs = (0..<max(canaries, 1)).map { position in
                Caravan_V1_Allocation.with {
                    $0.id = "\(id.prefix(8))-alloc-\(position)"
                    $0.namespace = "default"
                    $0.jobID = "api"
                    $0.taskGroup = "web"
                    $0.name = "api.web[\(position)]"
                    $0.nodeID = DeploymentsServiceTests.node
                    $0.jobVersion = 1
                    $0.deploymentID = id
                    $0.deploymentStatus.canary = canaries > 0
                }
            }
            plan.nodeAllocation[DeploymentsServiceTests.node] = .with { $0.allocations = allocs }
            var command = StateCommands.envelope(at: Date())
            command.applyPlan = .with { $0.plan = plan }
            _ = try await state.propose(command)
        }

        /// The client reporting allocation `allocID` healthy.
        func reportHealthy(_ allocID: String) async throws {
            var command = StateCommands.envelope(at: Date())
            command.clientAllocUpdates = .with {
                $0.nodeID = DeploymentsServiceTests.node
                $0.updates = [
                    .with {
                        $0.allocID = allocID
                        $0.clientStatus = .running
                        $0.deploymentStatus.healthy = true
                    }
                ]
            }
            _ = try await state.propose(command)
        }

        func deployment(_ id: String) async throws -> Caravan_V1_Deployment {
            try await deployments.get(.with { $0.deploymentID = id }).deployment
        }

        func evaluationCount() async throws -> Int {
            try await evaluations.list(.init()).evaluations.count
        }
    }

    func withBed(_ body: (Bed) async throws -> Void) async throws {
        let fixture = try CertificateFixture()
        let hub = StateChangeHub()
        let state = LocalReplicatedState(observer: { hub.publish($0) })
        let queries = ClusterQueries(state: state, hub: hub)
        let services: [any RegistrableRPCService] = [
            JobsService(queries: queries), DeploymentsService(queries: queries), EvaluationsService(queries: queries),
        ]
        try await withRunningServer(tls: try fixture.material("server"), services: services) { _, address in
            let dialer = RPCDialer(tls: try fixture.material("cli"), callTimeout: .seconds(20))
            try await dialer.withClient(address) { client in
                try await body(
                    Bed(
                        state: state, jobs: Jobs(wrapping: client), deployments: Deployments(wrapping: client),
                        evaluations: Evaluations(wrapping: client)))
            }
        }
    }

    @Test("deployments are found by id or unique prefix, listed newest first, and an ambiguous prefix names matches")
    func reads() async throws {
        try await withBed { bed in
            try await bed.registerTwoVersions()
            try await bed.plan(Self.first)
            try await bed.plan(Self.second)
            #expect(try await bed.deployment("aaaa1").id == Self.first)
            #expect(try await bed.deployment(Self.second).jobVersion == 1)
            await expectRefusal(.invalidArgument, containing: "matches 2 deployments") {
                _ = try await bed.deployment("aaaa")
            }
            await expectRefusal(.notFound, containing: "no deployment with id or prefix \"ffff\"") {
                _ = try await bed.deployment("ffff")
            }
            let all = try await bed.deployments.list(.init()).deployments.map(\.id)
            #expect(all == [Self.second, Self.first])
            let filtered = try await bed.deployments.list(.with { $0.query.prefix = "aaaa1" }).deployments.map(\.id)
            #expect(filtered == [Self.first])
            let ofJob = try await bed.jobs.deployments(.with { $0.jobID = "api" }).deployments.map(\.id)
            #expect(ofJob == [Self.second, Self.first])
            #expect(try await bed.jobs.deployments(.with { $0.jobID = "other" }).deployments.isEmpty)
            let allocs = try await bed.deployments.allocations(.with { $0.deploymentID = "aaaa2" }).allocations
            #expect(allocs.map(\.id) == ["aaaa2222-alloc-0"])
        }
    }

    @Test("promotion is refused without canaries and while canaries are unhealthy; then it promotes with an eval")
    func promote() async throws {
        try await withBed { bed in
            try await bed.registerTwoVersions()
            try await bed.plan(Self.first)
            let plain = try await bed.deployment(Self.first)
            let evals = try await bed.evaluationCount()
            await expectRefusal(.failedPrecondition, containing: "has no canaries to promote") {
                _ = try await bed.deployments.promote(.with { $0.deploymentID = Self.first })
            }
            #expect(try await bed.deployment(Self.first) == plain)
            #expect(try await bed.evaluationCount() == evals)

            try await bed.plan(Self.second, canaries: 1)
            await expectRefusal(.failedPrecondition, containing: "has 0/1 healthy canaries") {
                _ = try await bed.deployments.promote(.with { $0.deploymentID = "aaaa2" })
            }
            await expectRefusal(.invalidArgument, containing: "no task group \"db\"") {
                _ = try await bed.deployments.promote(
                    .with {
                        $0.deploymentID = "aaaa2"
                        $0.groups = ["db"]
                    })
            }
            #expect(try await bed.deployment(Self.second).taskGroups["web"]?.promoted == false)
            #expect(try await bed.evaluationCount() == evals)

            try await bed.reportHealthy("aaaa2222-alloc-0")
            let promoted = try await bed.deployments.promote(.with { $0.deploymentID = "aaaa2" })
            let deployment = try await bed.deployment(Self.second)
            #expect(deployment.taskGroups["web"]?.promoted == true)
            #expect(deployment.statusDescription == DeploymentText.running)
            #expect(promoted.deploymentModifyIndex == deployment.modifyIndex)
            let eval = try await bed.evaluations.get(.with { $0.evalID = promoted.evalID }).evaluation
            #expect(eval.triggeredBy == "deployment-watcher" && eval.jobID == "api")
        }
    }

    @Test("failing rolls back to the stable version when auto_revert is set; an ended deployment cannot fail again")
    func failWithRollback() async throws {
        try await withBed { bed in
            try await bed.registerTwoVersions()
            try await bed.plan(Self.first, autoRevert: true)
            let failed = try await bed.deployments.fail(.with { $0.deploymentID = "aaaa1" })
            #expect(failed.revertedJobVersion == 0)
            let deployment = try await bed.deployment(Self.first)
            #expect(deployment.status == .failed)
            #expect(deployment.statusDescription == "Deployment marked as failed - rolling back to job version 0")
            let job = try await bed.jobs.get(.with { $0.jobID = "api" }).job
            #expect(job.version == 2 && job.meta.isEmpty)
            let eval = try await bed.evaluations.get(.with { $0.evalID = failed.evalID }).evaluation
            #expect(eval.triggeredBy == "deployment-watcher")

            let evals = try await bed.evaluationCount()
            await expectRefusal(.failedPrecondition, containing: "has already ended (failed)") {
                _ = try await bed.deployments.fail(.with { $0.deploymentID = "aaaa1" })
            }
            #expect(try await bed.deployment(Self.first) == deployment)
            #expect(try await bed.evaluationCount() == evals)
            #expect(try await bed.jobs.get(.with { $0.jobID = "api" }).job.version == 2)
        }
    }

    @Test("failing without auto_revert only marks the deployment failed, with an evaluation and no revert")
    func failWithoutRollback() async throws {
        try await withBed { bed in
            try await bed.registerTwoVersions()
            try await bed.plan(Self.first)
            let failed = try await bed.deployments.fail(.with { $0.deploymentID = Self.first })
            #expect(!failed.hasRevertedJobVersion && !failed.evalID.isEmpty)
            let deployment = try await bed.deployment(Self.first)
            #expect(deployment.status == .failed && deployment.statusDescription == DeploymentText.markedFailed)
            #expect(try await bed.jobs.get(.with { $0.jobID = "api" }).job.version == 1)
        }
    }

    @Test("pause, pause again (refused), resume with an evaluation, resume again (refused)")
    func pauseAndResume() async throws {
        try await withBed { bed in
            try await bed.registerTwoVersions()
            try await bed.plan(Self.first)
            let paused = try await bed.deployments.pause(
                .with {
                    $0.deploymentID = "aaaa1"
                    $0.pause = true
                })
            #expect(paused.evalID.isEmpty)
            let deployment = try await bed.deployment(Self.first)
            #expect(deployment.status == .paused && deployment.statusDescription == DeploymentText.paused)
            await expectRefusal(.failedPrecondition, containing: "is already paused") {
                _ = try await bed.deployments.pause(
                    .with {
                        $0.deploymentID = "aaaa1"
                        $0.pause = true
                    })
            }
            #expect(try await bed.deployment(Self.first) == deployment)

            let resumed = try await bed.deployments.pause(.with { $0.deploymentID = "aaaa1" })
            let running = try await bed.deployment(Self.first)
            #expect(running.status == .running && running.statusDescription == DeploymentText.running)
            let eval = try await bed.evaluations.get(.with { $0.evalID = resumed.evalID }).evaluation
            #expect(eval.triggeredBy == "deployment-watcher")
            await expectRefusal(.failedPrecondition, containing: "is running, not paused") {
                _ = try await bed.deployments.pause(.with { $0.deploymentID = "aaaa1" })
            }
            #expect(try await bed.deployment(Self.first) == running)
        }
    }

    @Test("an unknown or ambiguous deployment is refused by every write, and nothing is written")
    func unknownTargets() async throws {
        try await withBed { bed in
            try await bed.registerTwoVersions()
            try await bed.plan(Self.first)
            try await bed.plan(Self.second)
            let evals = try await bed.evaluationCount()
            await expectRefusal(.notFound, containing: "no deployment") {
                _ = try await bed.deployments.fail(.with { $0.deploymentID = "bbbb" })
            }
            await expectRefusal(.invalidArgument, containing: "matches 2 deployments") {
                _ = try await bed.deployments.pause(
                    .with {
                        $0.deploymentID = "aaaa"
                        $0.pause = true
                    })
            }
            await expectRefusal(.invalidArgument, containing: "no deployment id given") {
                _ = try await bed.deployments.promote(.init())
            }
            #expect(try await bed.evaluationCount() == evals)
            #expect(try await bed.deployments.list(.init()).deployments.allSatisfy { $0.status == .running })
        }
    }
}
