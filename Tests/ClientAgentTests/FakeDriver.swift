import CaravanProto
import ClientDrivers
import Foundation
import SwiftProtobuf
import Synchronization
import TaskExecutor

/// An in-memory driver for deterministic runner tests (the real drivers have their own tests with real
/// processes): each start records the launch, and the task "runs" until the test ends it with `finish`.
final class FakeDriver: TaskDriver {
    let name: String
    private struct Running {
        var handle: TaskHandle
        var exit: TaskExit?
        var waiters: [CheckedContinuation<TaskExit, Never>] = []
    }
    private struct State {
        var launches: [TaskLaunch] = []
        var running: [Int32: Running] = [:]
        var nextPID: Int32 = 100
        var startFailures: [String: DriverError] = [:]
        var startWaiters: [(task: String, count: Int, continuation: CheckedContinuation<Void, Never>)] = []
        var signals: [(task: String, signal: Int32)] = []
    }
    private let state = Mutex(State())

    init(name: String = "fake") { self.name = name }

    func fingerprint() -> Caravan_V1_DriverInfo {
        .with {
            $0.detected = true; $0.healthy = true
        }
    }

    func parseConfig(_ config: Google_Protobuf_Struct) throws(DriverError) -> DriverTaskConfig {
        if config.fields["bogus"] != nil { throw .invalidConfig("fake: unknown key \"bogus\"") }
        return DriverTaskConfig(command: config.fields["command"]?.stringValue ?? "/bin/true")
    }

    func start(_ launch: TaskLaunch, stateDir: String) async throws(DriverError) -> TaskHandle {
        let (handle, failure, waiters) = state.withLock {
            state -> (TaskHandle, DriverError?, [CheckedContinuation<Void, Never>]) in
            state.launches.append(launch)
            let pid = state.nextPID
            state.nextPID += 1
            let handle = TaskHandle(
                driver: name, executorPID: pid, executorStartTicks: 1, taskPID: pid, stateDir: stateDir)
            let failure = state.startFailures[launch.taskName]
            if failure == nil { state.running[pid] = Running(handle: handle) }
            let count = state.launches.filter { $0.taskName == launch.taskName }.count
            let ready = state.startWaiters.filter { $0.task == launch.taskName && $0.count <= count }
            state.startWaiters.removeAll { $0.task == launch.taskName && $0.count <= count }
            return (handle, failure, ready.map(\.continuation))
        }
        for waiter in waiters { waiter.resume() }
        if let failure { throw failure }
        return handle
    }

    func wait(_ handle: TaskHandle) async -> TaskExit {
        await withCheckedContinuation { continuation in
            let ready: TaskExit? = state.withLock { state in
                guard var running = state.running[handle.executorPID] else {
                    return TaskExit(exitCode: 0, error: "gone")
                }
                if let exit = running.exit { return exit }
                running.waiters.append(continuation)
                state.running[handle.executorPID] = running
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    func isRunning(_ handle: TaskHandle) -> Bool {
        state.withLock { $0.running[handle.executorPID].map { $0.exit == nil } ?? false }
    }

    func signal(_ handle: TaskHandle, _ signal: Int32) throws(DriverError) {
        let task = launches.last { _ in true }?.taskName ?? ""
        state.withLock { $0.signals.append((task, signal)) }
    }

    func stop(_ handle: TaskHandle, signal: Int32, timeout: Duration) async -> TaskExit {
        end(handle.executorPID, TaskExit(exitCode: 130, signal: signal))
        return await wait(handle)
    }

    func destroy(_ handle: TaskHandle) {}

    // MARK: Test controls

    var launches: [TaskLaunch] { state.withLock { $0.launches } }

    func started(_ task: String) -> Int { state.withLock { $0.launches.filter { $0.taskName == task }.count } }

    /// Makes the next starts of `task` fail.
    func failStarts(of task: String, with error: DriverError) { state.withLock { $0.startFailures[task] = error } }

    /// Waits until `task` has been started `count` times.
    func waitForStart(of task: String, count: Int = 1) async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if state.launches.filter({ $0.taskName == task }).count >= count { return true }
                state.startWaiters.append((task, count, continuation))
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Ends the latest run of `task` with `exit`.
    func finish(_ task: String, _ exit: TaskExit) {
        let pid = state.withLock { state in
            state.running.values.filter { $0.exit == nil }.map(\.handle).last { $0.stateDir.hasSuffix("/" + task) }?
                .executorPID
        }
        if let pid { end(pid, exit) }
    }

    /// A handle for a task "started by an earlier clientd", running until finished.
    func adopt(task: String, stateDir: String) -> TaskHandle {
        state.withLock { state in
            let pid = state.nextPID
            state.nextPID += 1
            let handle = TaskHandle(
                driver: name, executorPID: pid, executorStartTicks: 1, taskPID: pid, stateDir: stateDir)
            state.running[pid] = Running(handle: handle)
            return handle
        }
    }

    private func end(_ pid: Int32, _ exit: TaskExit) {
        let waiters = state.withLock { state -> [CheckedContinuation<TaskExit, Never>] in
            guard var running = state.running[pid], running.exit == nil else { return [] }
            running.exit = exit
            let waiters = running.waiters
            running.waiters = []
            state.running[pid] = running
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: exit) }
    }
}
