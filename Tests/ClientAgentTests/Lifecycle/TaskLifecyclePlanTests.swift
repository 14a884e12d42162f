import CaravanProto
import Testing

@testable import ClientAgent

private func task(
    _ name: String, _ hook: Caravan_V1_TaskLifecycle.Hook? = nil, sidecar: Bool = false, leader: Bool = false
) -> Caravan_V1_Task {
    var task = Caravan_V1_Task()
    task.name = name
    task.leader = leader
    if let hook {
        task.lifecycle.hook = hook
        task.lifecycle.sidecar = sidecar
    }
    return task
}

/// init (prestart), proxy (prestart sidecar), app and worker (main), announce (poststart),
/// log-shipper (poststart sidecar), cleanup (poststop).
private let plan = TaskLifecyclePlan(tasks: [
    task("init", .prestart), task("proxy", .prestart, sidecar: true), task("app"), task("worker"),
    task("announce", .poststart), task("log-shipper", .poststart, sidecar: true), task("cleanup", .poststop),
])

private let pending = TaskRunState.pending
private let running = TaskRunState.running
private let done = TaskRunState(status: .dead, failed: false, started: true)
private let failed = TaskRunState(status: .dead, failed: true, started: true)
/// Waiting to be restarted after an exit.
private let restarting = TaskRunState(status: .pending, failed: false, started: true)

@Suite("Task lifecycle plan")
struct TaskLifecyclePlanTests {
    @Test("tasks are sorted into phases; sidecar only counts for prestart and poststart")
    func phases() {
        let odd = TaskLifecyclePlan(tasks: [task("stop", .poststop, sidecar: true), task("main", sidecar: true)])
        #expect(odd.members.map(\.sidecar) == [false, false])
        #expect(plan.members.map(\.phase) == [.prestart, .prestart, .main, .main, .poststart, .poststart, .poststop])
    }

    @Test(
        "which tasks may start now",
        arguments: [
            // Nothing has run: only prestart tasks.
            ([:], ["init", "proxy"]),
            // The sidecar runs but init has not finished: main tasks wait.
            (["init": running, "proxy": running], []),
            // init failed: main tasks never start.
            (["init": failed, "proxy": running], []),
            // init finished and the sidecar started: main tasks start.
            (["init": done, "proxy": running], ["app", "worker"]),
            // A sidecar that started and is waiting to restart still counts as started.
            (["init": done, "proxy": restarting], ["app", "worker"]),
            // One main task running, the other not yet: poststart waits.
            (["init": done, "proxy": running, "app": running], ["worker"]),
            // All main tasks started: poststart tasks start.
            (["init": done, "proxy": running, "app": running, "worker": running], ["announce", "log-shipper"]),
            // A main task that already finished has started too.
            (["init": done, "proxy": running, "app": done, "worker": running], ["announce", "log-shipper"]),
            // All main tasks dead: poststop starts.
            (
                [
                    "init": done, "proxy": running, "app": done, "worker": failed, "announce": done,
                    "log-shipper": running,
                ], ["cleanup"]
            ),
        ] as [([String: TaskRunState], [String])])
    func tasksToStart(states: [String: TaskRunState], expected: [String]) {
        #expect(plan.tasksToStart(states) == expected)
    }

    @Test("a group with only main tasks starts them all at once")
    func onlyMain() {
        let simple = TaskLifecyclePlan(tasks: [task("a"), task("b")])
        #expect(simple.tasksToStart([:]) == ["a", "b"])
        #expect(simple.tasksToStart(["a": running]) == ["b"])
    }

    @Test(
        "when to stop the remaining tasks, and why",
        arguments: [
            (["init": done, "proxy": running, "app": running, "worker": running], nil),
            // A main task failing takes the allocation down.
            (["init": done, "proxy": running, "app": failed, "worker": running], .siblingFailed("app")),
            // So does a failed ephemeral prestart task.
            (["init": failed, "proxy": running], .siblingFailed("init")),
            // Main tasks all finished: only sidecars are alive, stop them.
            (
                [
                    "init": done, "proxy": running, "app": done, "worker": done, "announce": done,
                    "log-shipper": running,
                ],
                .mainTasksDead
            ),
            // One main task still running keeps the sidecars.
            (["init": done, "proxy": running, "app": done, "worker": running], nil),
            // Everything dead: nothing left to stop.
            (
                ["init": done, "proxy": done, "app": done, "worker": done, "announce": done, "log-shipper": done],
                nil
            ),
        ] as [([String: TaskRunState], TaskLifecyclePlan.StopReason?)])
    func stopReason(states: [String: TaskRunState], expected: TaskLifecyclePlan.StopReason?) {
        #expect(plan.stopReason(states) == expected)
    }

    @Test("a dead leader stops the others, and wins over a failed sibling")
    func leader() {
        let led = TaskLifecyclePlan(tasks: [task("a", leader: true), task("b"), task("c")])
        #expect(led.stopReason(["a": done, "b": running, "c": running]) == .leaderDead("a"))
        #expect(led.stopReason(["a": running, "b": done, "c": running]) == nil)
        #expect(led.stopReason(["a": done, "b": failed, "c": running]) == .leaderDead("a"))
        #expect(led.stopReason(["a": running, "b": failed, "c": running]) == .siblingFailed("b"))
        #expect(TaskLifecyclePlan.StopReason.leaderDead("a").eventType == "Leader Task Dead")
        #expect(TaskLifecyclePlan.StopReason.siblingFailed("a").eventType == "Sibling Task Failed")
        #expect(TaskLifecyclePlan.StopReason.mainTasksDead.eventType == "Main Tasks Dead")
    }

    @Test("poststop tasks do not count as live when deciding to stop sidecars")
    func poststopNotLive() {
        let states: [String: TaskRunState] = [
            "init": done, "proxy": running, "app": done, "worker": done, "announce": done, "log-shipper": done,
            "cleanup": running,
        ]
        #expect(plan.stopReason(states) == .mainTasksDead)
    }

    @Test(
        "the allocation's client status",
        arguments: [
            ([:], Caravan_V1_AllocClientStatus.pending, "No tasks have started"),
            (["init": running], .running, "Tasks are running"),
            (["init": failed, "proxy": running], .failed, "Failed tasks"),
            (
                [
                    "init": done, "proxy": done, "app": done, "worker": done, "announce": done, "log-shipper": done,
                    "cleanup": done,
                ], .complete, "All tasks have completed"
            ),
            (
                [
                    "init": done, "proxy": done, "app": failed, "worker": done, "announce": done, "log-shipper": done,
                    "cleanup": done,
                ], .failed, "Failed tasks"
            ),
            (
                [
                    "init": done, "proxy": done, "app": done, "worker": done, "announce": done, "log-shipper": done,
                    "cleanup": running,
                ], .running, "Tasks are running"
            ),
        ] as [([String: TaskRunState], Caravan_V1_AllocClientStatus, String)])
    func clientStatus(states: [String: TaskRunState], status: Caravan_V1_AllocClientStatus, description: String) {
        let result = plan.clientStatus(states)
        #expect(result.0 == status)
        #expect(result.1 == description)
    }

    @Test("task states convert from the proto")
    func fromProto() {
        var state = Caravan_V1_TaskState()
        state.state = .dead
        state.failed = true
        state.startedAt = .init(seconds: 1)
        #expect(TaskRunState(state) == failed)
        #expect(TaskRunState(Caravan_V1_TaskState()) == pending)
        var runningState = Caravan_V1_TaskState()
        runningState.state = .running
        #expect(TaskRunState(runningState) == running)
    }
}
