import CaravanProto
import ClientDrivers
import ClientFS
import ClientNetwork
import Foundation
import Logging
import SwiftProtobuf

/// Makes the runner of one task: the task, its record from before a restart, the allocation's network, the runner.
typealias TaskRunnerMaker =
    @Sendable (Caravan_V1_Task, ClientStateStore.TaskRecord?, AllocNetwork?, AllocRunner) -> TaskRunner

/// Runs one allocation on this node: builds its directory, starts its tasks in lifecycle order (prestart, main,
/// poststart, poststop), stops the rest when a task fails or the leader exits, and reports the allocation's client
/// status and task states. `stop` kills the tasks (poststop tasks still run); the runner never restarts an
/// allocation the servers stopped.
actor AllocRunner {
    let id: String
    private(set) var allocation: Caravan_V1_Allocation
    private let plan: TaskLifecyclePlan
    private let dir: AllocDir
    private let makeTaskRunner: TaskRunnerMaker
    private let networkHook: AllocNetworkHook
    private var network: AllocNetwork?
    private let buildDir: @Sendable (AllocDir, Caravan_V1_Allocation) throws -> Void
    private let report: @Sendable (Caravan_V1_AllocClientUpdate) async -> Void
    private let logger: Logger

    private var runners: [String: TaskRunner] = [:]
    private var states: [String: Caravan_V1_TaskState] = [:]
    private var launched: Set<String> = []
    private var stopping = false
    private var siblingsKilled = false
    private var lastReported: Caravan_V1_AllocClientUpdate?
    private var done = false
    private var doneWaiters: [CheckedContinuation<Void, Never>] = []
    private(set) var finishedAt: Date?
    /// Judges health for deployments and drains; nil when this allocation is not judged or already was.
    private var healthJudge: AllocHealthJudge?
    private var healthRecheck: Task<Void, Never>?
    private var deploymentStatus: Caravan_V1_AllocDeploymentStatus?

    struct Setup: Sendable {
        var allocation: Caravan_V1_Allocation
        var dir: AllocDir
        var makeTaskRunner: TaskRunnerMaker
        var network: AllocNetworkHook
        var buildDir: @Sendable (AllocDir, Caravan_V1_Allocation) throws -> Void
        var report: @Sendable (Caravan_V1_AllocClientUpdate) async -> Void
        var logger: Logger
    }

    init(_ setup: Setup) {
        id = setup.allocation.id
        allocation = setup.allocation
        dir = setup.dir
        makeTaskRunner = setup.makeTaskRunner
        networkHook = setup.network
        buildDir = setup.buildDir
        report = setup.report
        logger = setup.logger
        plan = TaskLifecyclePlan(tasks: Self.tasks(of: setup.allocation))
    }

    static func tasks(of allocation: Caravan_V1_Allocation) -> [Caravan_V1_Task] {
        allocation.job.taskGroups.first { $0.name == allocation.taskGroup }?.tasks ?? []
    }

    var isDone: Bool { done }

    /// Starts the allocation; with `restored` task records (after a clientd restart) tasks that were running are
    /// re-attached and dead ones stay dead.
    func start(restored: [String: ClientStateStore.TaskRecord]? = nil) async {
        let tasks = Self.tasks(of: allocation)
        guard !tasks.isEmpty else {
            await failWithoutTasks("task group \"\(allocation.taskGroup)\" is not in the allocation's job")
            return
        }
        if !(await setUpNetwork(tasks: tasks, restored: restored)) { return }
        if let policy = AllocHealthPolicy(allocation: allocation) {
            healthJudge = AllocHealthJudge(policy: policy, plan: plan, since: Date())
        }
        for task in tasks {
            let record = restored?[task.name]
            runners[task.name] = makeTaskRunner(task, record, network, self)
            states[task.name] = record?.state ?? Caravan_V1_TaskState.with { $0.state = .pending }
        }
        // Also after a restart: building is idempotent and brings back what a reboot took (the secrets tmpfs).
        do {
            try buildDir(dir, allocation)
        } catch  where restored != nil {
            // Its tasks may be running: re-attach to them rather than abandon them over a directory problem.
            logger.error(
                "cannot complete the allocation directory", metadata: ["alloc_id": "\(id)", "error": "\(error)"])
        } catch {
            await failWithoutTasks("cannot build the allocation directory: \(error)")
            return
        }
        if let restored {
            // Whatever ran (or finished) before the restart resumes first; the plan then continues from there.
            for (name, record) in restored where record.handle != nil || record.state.state != .pending {
                launch(name)
            }
        }
        await advance()
    }

    /// Sets up the network namespace the tasks share, unless every restored task has already ended. Returns
    /// false when the allocation failed because of it.
    private func setUpNetwork(tasks: [Caravan_V1_Task], restored: [String: ClientStateStore.TaskRecord]?) async
        -> Bool
    {
        if let restored, tasks.allSatisfy({ restored[$0.name]?.state.state == .dead }) { return true }
        do {
            network = try await networkHook.setUp()
            return true
        } catch  where restored != nil {
            // Tasks still running keep the namespace they are in; a task restarted later joins it by its path and
            // fails with the reason if it is gone. Abandoning running tasks would be worse.
            logger.error("cannot restore the network", metadata: ["alloc_id": "\(id)", "error": "\(error)"])
            network = networkHook.expectedNetwork()
            return true
        } catch {
            await failWithoutTasks(error.description)
            return false
        }
    }

    /// A task runner reports a state change.
    func taskChanged(_ name: String, _ state: Caravan_V1_TaskState) async {
        states[name] = state
        await advance()
    }

    /// The servers changed the allocation (a new job version in place, or a stop).
    func update(_ newer: Caravan_V1_Allocation) async {
        allocation.desiredStatus = newer.desiredStatus
        allocation.desiredDescription = newer.desiredDescription
        if newer.desiredStatus == .stop || newer.desiredStatus == .evict { await stop() }
    }

    /// Stops every task (poststop tasks then run) and waits until the allocation is done.
    func stop() async {
        if !stopping {
            stopping = true
            await killLive(except: .poststop, event: nil)
            await advance()
        }
        await waitUntilDone()
    }

    func waitUntilDone() async {
        if done { return }
        await withCheckedContinuation { doneWaiters.append($0) }
    }

    /// Sends a signal to one task or all running tasks.
    func signal(_ number: Int32, task: String?) async throws(DriverError) {
        for (name, runner) in runners where task == nil || task == name {
            if states[name]?.state == .running { try await runner.signal(number) }
        }
    }

    // MARK: Progress

    private func advance() async {
        let runStates = states.mapValues(TaskRunState.init)
        if !siblingsKilled, let reason = plan.stopReason(runStates) {
            siblingsKilled = true
            let event: Caravan_V1_TaskEvent? =
                switch reason {
                case .siblingFailed(let name): TaskEvents.siblingFailed(name)
                case .leaderDead: TaskEvents.leaderDead()
                case .mainTasksDead: nil
                }
            Task { await self.killLive(except: .poststop, event: event) }
        }
        for name in plan.tasksToStart(runStates) where !launched.contains(name) {
            let phase = plan.members.first { $0.name == name }?.phase
            if (stopping || siblingsKilled) && phase != .poststop {
                // Never started and never will: it ends without running.
                if let runner = runners[name], launched.insert(name).inserted {
                    Task {
                        async let run: Void = runner.run()
                        await runner.kill()
                        await run
                    }
                }
                continue
            }
            launch(name)
        }
        judgeHealth()
        // Done before reporting, so the manager's garbage collection sees this allocation as finished.
        let finishing = !done && runners.keys.allSatisfy { states[$0]?.state == .dead }
        if finishing {
            done = true
            finishedAt = Date()
        }
        await reportStatus()
        if finishing {
            // Before anyone waiting for the allocation hears it is done: a stopped allocation leaves nothing behind.
            await networkHook.tearDown()
            let waiters = doneWaiters
            doneWaiters = []
            for waiter in waiters { waiter.resume() }
        }
    }

    private func launch(_ name: String) {
        guard let runner = runners[name], launched.insert(name).inserted else { return }
        Task { await runner.run() }
    }

    /// Kills every task not yet dead, except those of `phase`, in parallel.
    private func killLive(except phase: TaskLifecyclePlan.Phase, event: Caravan_V1_TaskEvent?) async {
        let targets = plan.members.filter { $0.phase != phase && states[$0.name]?.state != .dead }
            .compactMap { member in runners[member.name].map { (member.name, $0) } }
        await withTaskGroup(of: Void.self) { group in
            for (name, runner) in targets {
                // A task that never started still has to end (dead, not failed) for the allocation to finish.
                let neverStarted = launched.insert(name).inserted
                group.addTask {
                    if neverStarted {
                        async let run: Void = runner.run()
                        await runner.kill(event: event)
                        _ = await run
                    } else {
                        await runner.kill(event: event)
                    }
                }
            }
        }
    }

    private func reportStatus() async {
        let (status, description) = plan.clientStatus(states.mapValues(TaskRunState.init))
        var update = Caravan_V1_AllocClientUpdate()
        update.allocID = id
        update.clientStatus = status
        update.clientDescription = description
        update.taskStates = states
        if let network { update.networkStatus = AllocNetworkHook.status(network) }
        if let deploymentStatus { update.deploymentStatus = deploymentStatus }
        guard update != lastReported else { return }
        lastReported = update
        allocation.clientStatus = status
        allocation.taskStates = states
        await report(update)
    }

    // MARK: Health

    /// Decides health once: healthy or unhealthy is reported with the next status update and never changes;
    /// pending re-checks when time alone may change the answer. A stopping allocation is not judged.
    private func judgeHealth() {
        guard let judge = healthJudge else { return }
        guard !stopping, !done else {
            stopJudging()
            return
        }
        let now = Date()
        switch judge.verdict(states, now: now) {
        case .pending(let recheckAt):
            healthRecheck?.cancel()
            let wait = max(0.01, recheckAt.timeIntervalSince(now))
            healthRecheck = Task { [weak self] in
                try? await Task.sleep(for: .milliseconds(Int64(wait * 1000) + 5))
                guard !Task.isCancelled else { return }
                await self?.recheckHealth()
            }
        case .healthy:
            decideHealth(true, at: now)
        case .unhealthy(let reason):
            logger.warning("allocation unhealthy", metadata: ["alloc_id": "\(id)", "reason": "\(reason)"])
            decideHealth(false, at: now)
            // Told through the task runners, which own the task states, so the event survives their next report.
            for runner in runners.values {
                Task { await runner.note(TaskEvents.allocUnhealthy(reason)) }
            }
        }
    }

    private func decideHealth(_ healthy: Bool, at time: Date) {
        deploymentStatus = Caravan_V1_AllocDeploymentStatus.with {
            $0.healthy = healthy
            $0.timestamp = Google_Protobuf_Timestamp(date: time)
            $0.canary = allocation.deploymentStatus.canary
        }
        stopJudging()
    }

    private func stopJudging() {
        healthJudge = nil
        healthRecheck?.cancel()
        healthRecheck = nil
    }

    private func recheckHealth() async {
        judgeHealth()
        await reportStatus()
    }

    private func failWithoutTasks(_ reason: String) async {
        logger.error("allocation failed", metadata: ["alloc_id": "\(id)", "error": "\(reason)"])
        for task in Self.tasks(of: allocation) {
            states[task.name] = Caravan_V1_TaskState.with {
                $0.state = .dead
                $0.failed = true
                $0.events = [TaskEvents.setupFailure(reason)]
            }
        }
        var update = Caravan_V1_AllocClientUpdate()
        update.allocID = id
        update.clientStatus = .failed
        update.clientDescription = reason
        update.taskStates = states
        lastReported = update
        allocation.clientStatus = .failed
        done = true
        finishedAt = Date()
        await networkHook.tearDown()
        await report(update)
    }
}

extension AllocRunner {
    /// Removes the allocation directory (unmounting what is mounted in it). Call after `stop`.
    func destroyDirectory() throws {
        try dir.destroy()
    }
}
