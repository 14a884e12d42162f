import Foundation
import TaskExecutor

#if canImport(Glibc)
    import Glibc
#endif

/// The part of exec and raw_exec that is the same: start an executor, learn from it whether the task started,
/// and later wait for, signal, stop and clean up after it, by handle alone (so after a clientd restart too).
struct ExecutorClient: Sendable {
    let driver: String
    let executorPath: String
    /// How long an executor may take to report that its task started (mounts, cgroups, exec).
    var startTimeout: Duration = .seconds(60)

    func start(_ launch: TaskLaunch, stateDir: String) async throws(DriverError) -> TaskHandle {
        guard access(executorPath, X_OK) == 0 else {
            throw .unavailable("\(driver): executor binary \(executorPath) is missing or not executable")
        }
        do {
            try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
            unlink(ExecutorFiles.exit(stateDir))
            try ExecutorFiles.writeAtomically(launch, to: ExecutorFiles.launch(stateDir))
        } catch {
            throw .startFailed("\(driver): prepare state dir \(stateDir): \(error)")
        }
        let pipe: (read: Int32, write: Int32)
        let pid: pid_t
        do {
            pipe = try LinuxCalls.pipe()
            // A new session, /dev/null for input and its own log: the executor must not depend on clientd,
            // so both survive clientd being killed.
            pid = try Spawn.spawn(
                executorPath, arguments: [executorPath, stateDir], environment: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],
                descriptors: [
                    (0, .file(path: "/dev/null", flags: O_RDONLY)),
                    (1, .file(path: ExecutorFiles.log(stateDir), flags: O_WRONLY | O_CREAT | O_APPEND)),
                    (2, .descriptor(1)), (3, .descriptor(pipe.write)),
                ], newSession: true)
        } catch {
            throw .startFailed("\(driver): start executor: \(error)")
        }
        close(pipe.write)
        let startTicks = ProcStat.read(pid)?.startTicks ?? 0
        let timeout = startTimeout
        let (text, timedOut) = await BlockingCall.run { Self.readReport(pipe.read, timeout: timeout) }
        close(pipe.read)

        let report = text.split(separator: "\n").first.flatMap {
            try? ExecutorFiles.decoder().decode(ExecutorReport.self, from: Data($0.utf8))
        }
        if let report, report.error == nil, let taskPID = report.taskPID {
            return TaskHandle(
                driver: driver, executorPID: pid, executorStartTicks: startTicks, taskPID: taskPID, stateDir: stateDir,
                cgroupPaths: report.cgroupPaths ?? [], startedAt: Date(), taskStartTicks: report.taskStartTicks)
        }
        if timedOut {
            kill(-pid, SIGKILL)
        }
        _ = await ExitWatcher.waitForExit(pid: pid, startTicks: startTicks, timeout: .seconds(10))
        if let message = report?.error { throw .startFailed(message) }
        if timedOut { throw .startFailed("\(driver): the executor did not report within \(timeout)") }
        let log = (try? String(contentsOfFile: ExecutorFiles.log(stateDir), encoding: .utf8)) ?? ""
        let tail = log.split(separator: "\n").suffix(5).joined(separator: "\n")
        throw .startFailed("\(driver): the executor exited before starting the task\(tail.isEmpty ? "" : ": " + tail)")
    }

    /// Reads the executor's report until it closes the pipe; returns the text and whether time ran out.
    private static func readReport(_ fd: Int32, timeout: Duration) -> (String, Bool) {
        let deadline = ContinuousClock.now + timeout
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let left = deadline - ContinuousClock.now
            if left <= .zero { return (String(decoding: bytes, as: UTF8.self), true) }
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ms = Int32(clamping: left.components.seconds * 1000 + 1)
            let ready = poll(&entry, 1, ms)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { continue }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return (String(decoding: bytes, as: UTF8.self), false) }
            bytes.append(contentsOf: buffer[0..<count])
        }
    }

    func isRunning(_ handle: TaskHandle) -> Bool {
        ExitWatcher.isAlive(pid: handle.executorPID, startTicks: handle.executorStartTicks)
    }

    func wait(_ handle: TaskHandle) async -> TaskExit {
        _ = await ExitWatcher.waitForExit(pid: handle.executorPID, startTicks: handle.executorStartTicks, timeout: nil)
        return await collect(handle)
    }

    /// The task's exit as the executor recorded it; without a record the executor died, so what is left of the
    /// task is killed and that is reported.
    private func collect(_ handle: TaskHandle) async -> TaskExit {
        if let exit = ExecutorFiles.read(TaskExit.self, from: ExecutorFiles.exit(handle.stateDir)) { return exit }
        await BlockingCall.run { Self.killTask(handle) }
        return TaskExit(exitCode: -1, error: "executor exited unexpectedly")
    }

    func signal(_ handle: TaskHandle, _ signal: Int32) throws(DriverError) {
        guard isRunning(handle) else { throw .signalFailed("\(driver): task is not running") }
        if handle.taskPID > 0 {
            // The task leads its own session and process group: signal everything it started.
            if kill(-handle.taskPID, signal) == 0 || kill(handle.taskPID, signal) == 0 { return }
            throw .signalFailed("\(driver): signal \(signal) to task \(handle.taskPID): \(errnoText(errno))")
        }
        // The task's PID was not known (exec): its init forwards signals to it.
        guard let initPID = ProcessTree.children(of: handle.executorPID).first?.pid, kill(initPID, signal) == 0 else {
            throw .signalFailed("\(driver): signal \(signal): task not found")
        }
    }

    func stop(_ handle: TaskHandle, signal: Int32, timeout: Duration) async -> TaskExit {
        if isRunning(handle) {
            try? self.signal(handle, signal)
            let pid = handle.executorPID
            let ticks = handle.executorStartTicks
            if !(await ExitWatcher.waitForExit(pid: pid, startTicks: ticks, timeout: timeout)) {
                await BlockingCall.run { Self.killTask(handle) }
                if !(await ExitWatcher.waitForExit(pid: pid, startTicks: ticks, timeout: .seconds(10))) {
                    // The executor itself is stuck: kill it and its second stage (its process group).
                    if isRunning(handle) { kill(-pid, SIGKILL) }
                    _ = await ExitWatcher.waitForExit(pid: pid, startTicks: ticks, timeout: nil)
                }
            }
        }
        return await wait(handle)
    }

    func destroy(_ handle: TaskHandle) {
        Self.killTask(handle)
        Cgroups.remove(paths: handle.cgroupPaths)
        try? FileManager.default.removeItem(atPath: handle.stateDir)
    }

    /// SIGKILLs everything the task started: its session and every process in its cgroups.
    static func killTask(_ handle: TaskHandle) {
        if let ticks = handle.taskStartTicks, handle.taskPID > 0 {
            ProcessTree.killSession(leaderPID: handle.taskPID, leaderStartTicks: ticks)
        }
        Cgroups.killAll(paths: handle.cgroupPaths, timeout: .seconds(5))
    }
}
