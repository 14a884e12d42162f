import CaravanProto
import ClientDrivers
import Foundation
import Logging
import SwiftProtobuf
import TaskExecutor

/// Runs one task of an allocation through its driver until it is dead for good: prepares it, starts it, waits,
/// and applies the restart policy; `kill` stops it with its kill_signal and kill_timeout. Every state change is
/// persisted (with the executor handle while the task runs) before it is reported, so a restarted clientd finds
/// the task again.
actor TaskRunner {
    let name: String
    let allocID: String
    private let driver: (any TaskDriver)?
    private let driverName: String
    private let prepare: @Sendable () throws -> TaskLaunch
    private let stateDir: String
    private let killSignal: (name: String, number: Int32)
    private let killTimeout: Duration
    private var restarts: RestartTracker
    private let store: ClientStateStore
    private let logger: Logger
    private let onChange: @Sendable (String, Caravan_V1_TaskState) async -> Void

    private(set) var state: Caravan_V1_TaskState
    private var handle: TaskHandle?
    private var killRequested = false
    private var restartDelay: Task<Void, Never>?
    private var finished = false
    private var finishWaiters: [CheckedContinuation<Void, Never>] = []

    struct Setup: Sendable {
        var name: String
        var allocID: String
        var driverName: String
        var driver: (any TaskDriver)?
        var prepare: @Sendable () throws -> TaskLaunch
        var stateDir: String
        var killSignal: (name: String, number: Int32)
        var killTimeout: Duration
        var restarts: RestartTracker
        var store: ClientStateStore
        var logger: Logger
        var onChange: @Sendable (String, Caravan_V1_TaskState) async -> Void
    }

    init(_ setup: Setup, restoring record: ClientStateStore.TaskRecord?) {
        name = setup.name
        allocID = setup.allocID
        driver = setup.driver
        driverName = setup.driverName
        prepare = setup.prepare
        stateDir = setup.stateDir
        killSignal = setup.killSignal
        killTimeout = setup.killTimeout
        restarts = setup.restarts
        store = setup.store
        logger = setup.logger
        onChange = setup.onChange
        state = record?.state ?? Caravan_V1_TaskState.with { $0.state = .pending }
        handle = record?.handle
    }

    var isDead: Bool { state.state == .dead }

    /// Runs the task until it is dead for good. Call once.
    func run() async {
        defer { finish() }
        if state.state == .dead { return }
        guard let driver else {
            await record(TaskEvents.driverFailure("driver \"\(driverName)\" is not available on this node"))
            await markDead(failed: true)
            return
        }
        if state.events.isEmpty { await record(TaskEvents.received()) }
        var attached = handle.flatMap { driver.isRunning($0) ? $0 : nil }
        if let stale = handle, attached == nil {
            // The task ended while clientd was away: its executor left the exit behind.
            let exit = await driver.wait(stale)
            driver.destroy(stale)
            handle = nil
            if await !handleExit(exit) { return }
        } else if attached != nil {
            logger.info("re-attached to running task", metadata: ["alloc_id": "\(allocID)", "task": "\(name)"])
        }
        while true {
            if killRequested {
                await markDead(failed: false)
                return
            }
            let running: TaskHandle
            if let existing = attached {
                running = existing
                attached = nil
            } else {
                switch await start(driver) {
                case .none: return
                case .some(.success(let started)): running = started
                case .some(.failure(let error)):
                    if await !decide(TaskOutcome(error)) { return }
                    continue
                }
            }
            let exit = await driver.wait(running)
            driver.destroy(running)
            handle = nil
            if await !handleExit(exit) { return }
        }
    }

    /// A start attempt: a handle, or the driver's refusal for the restart policy. nil when the task cannot be set
    /// up at all (it is then dead).
    private func start(_ driver: any TaskDriver) async -> Result<TaskHandle, DriverError>? {
        await record(TaskEvents.setup())
        let launch: TaskLaunch
        do {
            launch = try prepare()
        } catch {
            await record(TaskEvents.setupFailure("\(error)"))
            await markDead(failed: true)
            return nil
        }
        do {
            let started = try await driver.start(launch, stateDir: stateDir)
            handle = started
            state.state = .running
            state.startedAt = Google_Protobuf_Timestamp(date: started.startedAt)
            await record(TaskEvents.started())
            return .success(started)
        } catch {
            await record(TaskEvents.driverFailure(error.description))
            return .failure(error)
        }
    }

    /// Records an exit and applies the restart policy; false when the task is now dead for good.
    private func handleExit(_ exit: TaskExit) async -> Bool {
        await record(TaskEvents.terminated(exit))
        if killRequested {
            await record(TaskEvents.killed())
            await markDead(failed: false)
            return false
        }
        return await decide(TaskOutcome(exit))
    }

    /// Applies the restart policy to an outcome; false when the task is now dead for good.
    private func decide(_ outcome: TaskOutcome) async -> Bool {
        if killRequested {
            await markDead(failed: false)
            return false
        }
        switch restarts.decide(outcome, at: .now) {
        case .restart(let delay, let reason):
            state.state = .pending
            state.restarts += 1
            state.lastRestart = Google_Protobuf_Timestamp(date: Date())
            await record(TaskEvents.restarting(after: delay, reason: reason))
            let wait = Task { _ = try? await Task.sleep(for: delay) }
            restartDelay = wait
            await wait.value
            restartDelay = nil
            return true
        case .stop(let failed, let reason):
            // As Nomad: a task that finished its work just ends; only giving up on a failing one is an event.
            if failed { await record(TaskEvents.notRestarting(reason)) }
            await markDead(failed: failed)
            return false
        }
    }

    /// Stops the task for good (kill_signal, then SIGKILL after kill_timeout) and waits until it is dead.
    func kill(event: Caravan_V1_TaskEvent? = nil) async {
        if !killRequested {
            killRequested = true
            if let event { await record(event) }
            restartDelay?.cancel()
            if let handle, let driver {
                await record(TaskEvents.killing(signal: killSignal.name, timeout: killTimeout))
                _ = await driver.stop(handle, signal: killSignal.number, timeout: killTimeout)
            }
        }
        await waitUntilFinished()
    }

    /// Sends a signal to the running task (template change_signal, `alloc signal`).
    func signal(_ number: Int32) throws(DriverError) {
        guard let handle, let driver else { throw .signalFailed("task \(name) is not running") }
        try driver.signal(handle, number)
    }

    func waitUntilFinished() async {
        if finished { return }
        await withCheckedContinuation { finishWaiters.append($0) }
    }

    private func finish() {
        finished = true
        let waiters = finishWaiters
        finishWaiters = []
        for waiter in waiters { waiter.resume() }
    }

    private func markDead(failed: Bool) async {
        state.state = .dead
        state.failed = state.failed || failed
        state.finishedAt = Google_Protobuf_Timestamp(date: Date())
        handle = nil
        await persistAndReport()
    }

    /// An event about the allocation rather than the task itself (its health), shown with the task's events.
    func note(_ event: Caravan_V1_TaskEvent) async {
        await record(event)
    }

    /// Appends an event (keeping the newest 10), persists and reports.
    private func record(_ event: Caravan_V1_TaskEvent) async {
        state.events.append(event)
        if state.events.count > 10 { state.events.removeFirst(state.events.count - 10) }
        await persistAndReport()
    }

    private func persistAndReport() async {
        do {
            try store.saveTask(allocID: allocID, task: name, .init(state: state, handle: handle))
        } catch {
            logger.error("cannot persist task state", metadata: ["task": "\(name)", "error": "\(error)"])
        }
        await onChange(name, state)
    }
}
