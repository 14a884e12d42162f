import CaravanProto
import CaravanRPC
import Foundation
import Logging
import Scheduler
import State
import SwiftProtobuf
import Synchronization

@testable import CaravanServer

/// The whole deployment loop without Raft or processes: the real state machine (which counts placements and
/// client health), the real scheduler run on each pending evaluation, and the real deployment watcher, on a
/// clock the test moves.
final class RolloutHarness: Sendable {
    let cluster = LocalClusterAccess()
    private let clock = Mutex(Date(timeIntervalSince1970: 1_700_000_000))
    private let seen = Mutex<[String: Int32]>([:])
    private let handled = Mutex<Set<String>>([])

    var now: Date { clock.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { clock.withLock { $0 = $0.addingTimeInterval(seconds) } }

    init(nodes: Int = 3) async throws {
        for index in 1...nodes {
            var node = Caravan_V1_Node()
            node.id = "n\(index)"
            node.name = "n\(index)"
            node.secretID = "secret"
            node.datacenter = "dc1"
            node.status = .ready
            node.schedulingEligibility = .eligible
            node.resources.cpuMhz = 8000
            node.resources.memoryMb = 16384
            node.attributes = ["kernel.name": "linux"]
            node.drivers["raw_exec"] = .with {
                $0.detected = true
                $0.healthy = true
            }
            try await propose { $0.registerNode = .with { $0.node = node } }
        }
    }

    /// A service job running `sleep <seconds>`; the argument is what versions change.
    static func job(
        count: Int32 = 3, maxParallel: Int32 = 1, canary: Int32 = 0, autoPromote: Bool = false,
        autoRevert: Bool = false, progressDeadline: Int64 = 600, argument: String = "1000"
    ) -> Caravan_V1_Job {
        var job = Caravan_V1_Job()
        job.id = "api"
        job.name = "api"
        job.namespace = "default"
        job.type = .service
        job.priority = 50
        job.datacenters = ["dc1"]
        var group = Caravan_V1_TaskGroup()
        group.name = "api"
        group.count = count
        group.update = .with {
            $0.maxParallel = maxParallel
            $0.canary = canary
            $0.autoPromote = autoPromote
            $0.autoRevert = autoRevert
            $0.healthCheck = "task_states"
            $0.minHealthyTime = .init(seconds: 1)
            $0.healthyDeadline = .init(seconds: 60)
            $0.progressDeadline = .init(seconds: progressDeadline)
        }
        group.tasks = [
            .with {
                $0.name = "app"
                $0.driver = "raw_exec"
                $0.config = .with { $0.fields["command"] = .init(stringValue: "sleep") }
                $0.config.fields["args"] = .init(listValue: .with { $0.values = [.init(stringValue: argument)] })
                $0.resources = .with {
                    $0.cpuMhz = 100
                    $0.memoryMb = 64
                }
            }
        ]
        job.taskGroups = [group]
        return job
    }

    func register(_ job: Caravan_V1_Job) async throws {
        let eval = EvalFactory.evaluation(for: job, trigger: .jobRegister, at: now)
        try await propose {
            $0.registerJob = .with {
                $0.job = job
                $0.eval = eval
            }
        }
    }

    func deregister() async throws {
        let view = try await cluster.latestView()
        guard let job = view.cluster.job(namespace: "default", id: "api") else { return }
        let eval = EvalFactory.evaluation(for: job, trigger: .jobDeregister, at: now)
        try await propose {
            $0.deregisterJob = .with {
                $0.jobID = "api"
                $0.namespace = "default"
                $0.eval = eval
            }
        }
    }

    /// Runs the scheduler on every pending evaluation that is due (oldest first) and commits each plan, as a
    /// worker would.
    @discardableResult
    func schedule() async throws -> [Caravan_V1_Plan] {
        var plans: [Caravan_V1_Plan] = []
        while true {
            let view = try await cluster.latestView()
            let next = view.cluster.evaluations(namespace: "default", jobID: "api")
                .filter { eval in eval.status == .pending && !handled.withLock { $0.contains(eval.id) } }
                .filter { !$0.hasWaitUntil || $0.waitUntil.date <= now }
                .min { $0.createIndex < $1.createIndex }
            guard let eval = next else { return plans }
            handled.withLock { _ = $0.insert(eval.id) }
            let plan = Scheduler.schedule(evaluation: eval, state: view, now: now, seed: view.index)
            try await propose { $0.applyPlan = .with { $0.plan = plan } }
            plans.append(plan)
        }
    }

    /// One look of the deployment watcher.
    func watch() async throws {
        let time = now
        let watcher = DeploymentWatcher(cluster: cluster, logger: Logger(label: "test"), now: { time })
        var last = seen.withLock { $0 }
        try await watcher.watchOnce(lastHealthy: &last)
        seen.withLock { [last] in $0 = last }
    }

    /// The client on the allocation's node reports it running, with a health decision when given.
    func report(_ allocID: String, healthy: Bool?, status: Caravan_V1_AllocClientStatus = .running) async throws {
        let view = try await cluster.latestView()
        guard let alloc = view.cluster.allocs[allocID] else { return }
        let time = now
        try await propose {
            $0.clientAllocUpdates = .with {
                $0.nodeID = alloc.nodeID
                $0.updates = [
                    .with {
                        $0.allocID = allocID
                        $0.clientStatus = status
                        if let healthy {
                            $0.deploymentStatus = .with {
                                $0.healthy = healthy
                                $0.timestamp = .init(date: time)
                                $0.canary = alloc.deploymentStatus.canary
                            }
                        }
                    }
                ]
            }
        }
    }

    /// Reports every live allocation not yet judged as running and healthy.
    func reportAllHealthy() async throws {
        for alloc in try await live() where !alloc.deploymentStatus.hasHealthy {
            try await report(alloc.id, healthy: true)
        }
    }

    func live() async throws -> [Caravan_V1_Allocation] {
        try await cluster.latestView().cluster.allocations(namespace: "default", jobID: "api")
            .filter { !$0.isTerminal && $0.desiredStatus == .run }
    }

    func deployment() async throws -> Caravan_V1_Deployment? {
        try await cluster.latestView().cluster.latestDeployment(namespace: "default", jobID: "api")
    }

    func job() async throws -> Caravan_V1_Job? {
        try await cluster.latestView().cluster.job(namespace: "default", id: "api")
    }

    func versions() async throws -> [Caravan_V1_Job] {
        try await cluster.latestView().cluster.jobVersions(namespace: "default", id: "api")
    }

    /// Proposes a command at the harness clock; a refusal is thrown.
    func propose(_ fill: (inout Caravan_V1_StateCommand) -> Void) async throws {
        var command = StateCommands.envelope(at: now)
        fill(&command)
        let applied = try await cluster.proposeAsLeader(command)
        if let refusal = applied.result.refusal { throw refusal }
    }

    /// Schedules, reports healthy and watches until nothing moves: a rollout driven to its end.
    func settle(rounds: Int = 20) async throws {
        for _ in 0..<rounds {
            let plans = try await schedule()
            try await reportAllHealthy()
            try await watch()
            let pending = try await cluster.latestView().cluster.evaluations(namespace: "default", jobID: "api")
                .contains { eval in
                    eval.status == .pending && !handled.withLock { $0.contains(eval.id) }
                        && (!eval.hasWaitUntil || eval.waitUntil.date <= now)
                }
            if plans.isEmpty && !pending { return }
        }
    }
}
