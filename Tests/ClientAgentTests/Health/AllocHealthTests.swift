import CaravanProto
import Foundation
import SwiftProtobuf
import Testing

@testable import ClientAgent

/// How clientd judges an allocation's health for deployments and drains.
@Suite("allocation health")
struct AllocHealthTests {
    static let start = Date(timeIntervalSince1970: 1_700_000_000)

    static func task(_ name: String, lifecycle: Caravan_V1_TaskLifecycle.Hook? = nil, sidecar: Bool = false)
        -> Caravan_V1_Task
    {
        var task = Caravan_V1_Task()
        task.name = name
        task.driver = "raw_exec"
        if let lifecycle {
            task.lifecycle.hook = lifecycle
            task.lifecycle.sidecar = sidecar
        }
        return task
    }

    static func judge(_ tasks: [Caravan_V1_Task], minHealthy: TimeInterval = 10, deadline: TimeInterval = 60)
        -> AllocHealthJudge
    {
        AllocHealthJudge(
            policy: AllocHealthPolicy(minHealthyTime: minHealthy, healthyDeadline: deadline),
            plan: TaskLifecyclePlan(tasks: tasks), since: start)
    }

    static func running(since offset: TimeInterval, restartedAt restart: TimeInterval? = nil) -> Caravan_V1_TaskState {
        var state = Caravan_V1_TaskState()
        state.state = .running
        state.startedAt = Google_Protobuf_Timestamp(date: start.addingTimeInterval(offset))
        if let restart { state.lastRestart = Google_Protobuf_Timestamp(date: start.addingTimeInterval(restart)) }
        return state
    }

    @Test("healthy once every long-running task has run for min_healthy_time; pending until then")
    func healthyAfterMinHealthyTime() {
        let judge = Self.judge([Self.task("app"), Self.task("log", lifecycle: .prestart, sidecar: true)])
        let states = ["app": Self.running(since: 2), "log": Self.running(since: 1)]
        #expect(
            judge.verdict(states, now: Self.start.addingTimeInterval(5))
                == .pending(recheckAt: Self.start.addingTimeInterval(12)))
        #expect(judge.verdict(states, now: Self.start.addingTimeInterval(12)) == .healthy)
    }

    @Test("ephemeral prestart and poststop tasks are not waited for")
    func ephemeralTasksIgnored() {
        let judge = Self.judge([
            Self.task("app"), Self.task("init", lifecycle: .prestart), Self.task("bye", lifecycle: .poststop),
        ])
        let done = Caravan_V1_TaskState.with { $0.state = .dead }
        let states = ["app": Self.running(since: 0), "init": done, "bye": Caravan_V1_TaskState()]
        #expect(judge.verdict(states, now: Self.start.addingTimeInterval(10)) == .healthy)
    }

    @Test("a restart starts the min_healthy_time clock again")
    func restartResetsClock() {
        let judge = Self.judge([Self.task("app")])
        let states = ["app": Self.running(since: 0, restartedAt: 8)]
        #expect(
            judge.verdict(states, now: Self.start.addingTimeInterval(12))
                == .pending(recheckAt: Self.start.addingTimeInterval(18)))
    }

    @Test("a failed task makes the allocation unhealthy at once")
    func failedTask() {
        let judge = Self.judge([Self.task("app"), Self.task("side")])
        let failed = Caravan_V1_TaskState.with {
            $0.state = .dead
            $0.failed = true
        }
        let verdict = judge.verdict(
            ["app": Self.running(since: 0), "side": failed], now: Self.start.addingTimeInterval(1))
        #expect(verdict == .unhealthy("Unhealthy because of failed task \"side\""))
    }

    @Test("not healthy by healthy_deadline is unhealthy, with Nomad's wording")
    func deadline() {
        let judge = Self.judge([Self.task("app")], minHealthy: 10, deadline: 300)
        let pending = ["app": Caravan_V1_TaskState.with { $0.state = .pending }]
        #expect(
            judge.verdict(pending, now: Self.start.addingTimeInterval(100))
                == .pending(recheckAt: Self.start.addingTimeInterval(300)))
        #expect(
            judge.verdict(pending, now: Self.start.addingTimeInterval(300))
                == .unhealthy("Task not running by min_healthy_time of 10s by healthy_deadline of 5m0s"))
        let late = ["app": Self.running(since: 295)]
        #expect(
            judge.verdict(late, now: Self.start.addingTimeInterval(300))
                == .unhealthy("Task not running for min_healthy_time of 10s by healthy_deadline of 5m0s"))
    }

    @Test("service allocations are judged by update in a deployment, by migrate otherwise; others are not judged")
    func policySelection() {
        var allocation = Caravan_V1_Allocation()
        allocation.taskGroup = "g"
        allocation.job.type = .service
        allocation.job.taskGroups = [
            .with {
                $0.name = "g"
                $0.update = .with {
                    $0.minHealthyTime = .init(seconds: 3)
                    $0.healthyDeadline = .init(seconds: 30)
                    $0.healthCheck = "task_states"
                }
                $0.migrate = .with {
                    $0.minHealthyTime = .init(seconds: 7)
                    $0.healthyDeadline = .init(seconds: 70)
                }
            }
        ]
        #expect(AllocHealthPolicy(allocation: allocation) == AllocHealthPolicy(minHealthyTime: 7, healthyDeadline: 70))
        allocation.deploymentID = "d1"
        #expect(AllocHealthPolicy(allocation: allocation) == AllocHealthPolicy(minHealthyTime: 3, healthyDeadline: 30))
        var manual = allocation
        manual.job.taskGroups[0].update.healthCheck = "manual"
        #expect(AllocHealthPolicy(allocation: manual) == nil)
        var decided = allocation
        decided.deploymentStatus.healthy = true
        #expect(AllocHealthPolicy(allocation: decided) == nil)
        var batch = allocation
        batch.job.type = .batch
        #expect(AllocHealthPolicy(allocation: batch) == nil)
    }

    @Test("durations print as Go prints them")
    func durations() {
        #expect(AllocHealthJudge.text(10) == "10s")
        #expect(AllocHealthJudge.text(300) == "5m0s")
        #expect(AllocHealthJudge.text(3723) == "1h2m3s")
        #expect(AllocHealthJudge.text(0.5) == "500ms")
    }
}
