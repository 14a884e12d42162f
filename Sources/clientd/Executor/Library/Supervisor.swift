import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The executor's first stage, `executor <state-dir>`: the parent that outlives clientd. It prepares logs,
/// the user and cgroups, spawns the second stage, tells the driver on fd 3 whether the task started, copies the
/// task's output into rotating log files, and finally writes `exit.json`.
struct Supervisor {
    let stateDir: String
    /// The pipe back to the driver (fd 3), or -1 when started by hand.
    private var driverFD: Int32 = -1

    init(stateDir: String) {
        self.stateDir = stateDir
    }

    mutating func run() -> Int32 {
        reserveStandardDescriptors()
        signal(SIGPIPE, SIG_IGN)
        signal(SIGHUP, SIG_IGN)
        guard let launch = ExecutorFiles.read(TaskLaunch.self, from: ExecutorFiles.launch(stateDir)) else {
            return fail("executor: cannot read \(ExecutorFiles.launch(stateDir))")
        }
        do {
            return try supervise(launch)
        } catch {
            return fail(error.message)
        }
    }

    private mutating func supervise(_ launch: TaskLaunch) throws(StartFailure) -> Int32 {
        let namespaces = launch.isolation == .namespaces
        var user: ResolvedUser?
        if let name = launch.user ?? (namespaces ? "nobody" : nil) {
            guard let resolved = ResolvedUser.lookup(name) else { throw StartFailure("user \"\(name)\" not found") }
            if getuid() != 0 && resolved.uid != getuid() {
                throw StartFailure("running as user \"\(name)\" requires the client to run as root")
            }
            user = resolved
        }
        if !namespaces && !launch.mounts.isEmpty {
            throw StartFailure("raw_exec cannot mount volumes (it has no filesystem isolation); use the exec driver")
        }

        let stdout: RotatingLogFile
        let stderr: RotatingLogFile
        do {
            try FileManager.default.createDirectory(atPath: launch.logDir, withIntermediateDirectories: true)
        } catch {
            throw StartFailure("create log dir \(launch.logDir): \(error)")
        }
        do {
            let base = "\(launch.logDir)"
            stdout = try RotatingLogFile(
                directory: base, baseName: "\(launch.taskName).stdout", maxFiles: launch.logMaxFiles,
                maxBytes: launch.logMaxFileSizeBytes)
            stderr = try RotatingLogFile(
                directory: base, baseName: "\(launch.taskName).stderr", maxFiles: launch.logMaxFiles,
                maxBytes: launch.logMaxFileSizeBytes)
        } catch {
            throw StartFailure(error.description)
        }

        var cgroups: Cgroups?
        var cgroupPaths: [String] = []
        var oomBaseline: UInt64 = 0
        if namespaces {
            guard let detected = Cgroups.detect(root: launch.cgroupRoot ?? "/sys/fs/cgroup") else {
                throw StartFailure("no cgroup filesystem at \(launch.cgroupRoot ?? "/sys/fs/cgroup")")
            }
            if let missing = detected.missingControllers() { throw StartFailure(missing) }
            let name = "\(launch.allocID).\(launch.taskName)".replacingOccurrences(of: "/", with: "_")
            do {
                cgroupPaths = try detected.create(
                    name: name, cpuMHz: launch.cpuMHz, memoryMB: launch.memoryMB, memoryMaxMB: launch.memoryMaxMB)
            } catch {
                throw StartFailure(error.description)
            }
            cgroups = detected
            oomBaseline = detected.oomKillCount(paths: cgroupPaths)
        }

        let plan = StagePlan(launch: launch, user: user, cgroupProcs: Cgroups.procsFiles(paths: cgroupPaths))
        let child: pid_t
        let output: (read: Int32, write: Int32)
        let errors: (read: Int32, write: Int32)
        let stage: (read: Int32, write: Int32)
        do {
            try ExecutorFiles.writeAtomically(plan, to: ExecutorFiles.plan(stateDir))
            output = try LinuxCalls.pipe()
            errors = try LinuxCalls.pipe()
            stage = try LinuxCalls.pipe()
            // A new PID namespace applies to children only: the second stage becomes its PID 1.
            if namespaces { try LinuxCalls.unshare(LinuxCalls.cloneNewPID) }
            let executable = Self.ownExecutable()
            child = try Spawn.spawn(
                executable, arguments: [executable, namespaces ? "--init" : "--shim", stateDir], environment: [],
                descriptors: [
                    (0, .file(path: "/dev/null", flags: O_RDONLY)), (1, .descriptor(output.write)),
                    (2, .descriptor(errors.write)), (3, .descriptor(stage.write)),
                ],
                newSession: false)
        } catch {
            Cgroups.remove(paths: cgroupPaths)
            throw StartFailure(error.description)
        }
        close(output.write)
        close(errors.write)
        close(stage.write)

        // Started, or why not: the second stage writes a line (exec) or closes the pipe on exec (raw_exec).
        var messages = LineReader(fd: stage.read)
        let first = namespaces ? messages.nextLine() : messages.readToEnd()
        var taskPID = child
        if let first, !first.isEmpty {
            let message = try? ExecutorFiles.decoder().decode(StageMessage.self, from: Data(first.utf8))
            if message?.started != true {
                var status: Int32 = 0
                waitpid(child, &status, 0)
                Cgroups.remove(paths: cgroupPaths)
                throw StartFailure(message?.error ?? "executor: unexpected message from the task's stage: \(first)")
            }
            // Init reports the task's PID as the host sees it; failing that, the task is init's only child.
            taskPID = message?.taskPID ?? ProcessTree.children(of: child).first?.pid ?? 0
        } else if namespaces {
            var status: Int32 = 0
            waitpid(child, &status, 0)
            Cgroups.remove(paths: cgroupPaths)
            throw StartFailure("executor: the task's init exited before starting it (\(describe(status)))")
        }
        let taskStartTicks = ProcStat.read(taskPID)?.startTicks ?? 0
        if driverFD >= 0 {
            writeJSONLine(
                ExecutorReport(taskPID: taskPID, taskStartTicks: taskStartTicks, cgroupPaths: cgroupPaths),
                to: driverFD)
            close(driverFD)
            driverFD = -1
        }

        var pump = OutputPump(
            child: child, stdout: (output.read, stdout), stderr: (errors.read, stderr),
            stage: namespaces ? stage.read : -1)
        pump.onChildExit = {
            // Whatever the task left running dies with it: its session (raw_exec) or its cgroup (exec; PID 1's
            // exit already killed its namespace).
            ProcessTree.killSession(leaderPID: taskPID, leaderStartTicks: taskStartTicks)
            Cgroups.killAll(paths: cgroupPaths, timeout: .seconds(2))
        }
        let status = pump.run(stageBuffer: &messages)
        stdout.close()
        stderr.close()
        if !namespaces { close(stage.read) }

        var exit = TaskExit(exitCode: 0)
        let final = messages.allLines().compactMap {
            try? ExecutorFiles.decoder().decode(StageMessage.self, from: Data($0.utf8))
        }.last { $0.exitCode != nil || $0.signal != nil }
        if namespaces, let final {
            exit = Self.taskExit(code: final.exitCode ?? 0, signal: final.signal ?? 0)
        } else if (status & 0x7f) == 0 {
            exit = Self.taskExit(code: (status >> 8) & 0xff, signal: 0)
        } else {
            exit = Self.taskExit(code: 0, signal: status & 0x7f)
        }
        if let cgroups {
            exit.oomKilled = cgroups.oomKillCount(paths: cgroupPaths) > oomBaseline
            Cgroups.remove(paths: cgroupPaths)
        }
        exit.finishedAt = Date()
        do {
            try ExecutorFiles.writeAtomically(exit, to: ExecutorFiles.exit(stateDir))
        } catch {
            log("executor: \(error)")
            return 1
        }
        return 0
    }

    /// A signalled task reports the shell's convention, 128 + signal, as its exit code.
    static func taskExit(code: Int32, signal: Int32) -> TaskExit {
        signal == 0 ? TaskExit(exitCode: code) : TaskExit(exitCode: 128 + signal, signal: signal)
    }

    /// Tells the driver (if it is listening) and records the failure as the task's exit.
    private mutating func fail(_ message: String) -> Int32 {
        log("executor: \(message)")
        if driverFD >= 0 {
            writeJSONLine(ExecutorReport(error: message), to: driverFD)
            close(driverFD)
            driverFD = -1
        }
        try? ExecutorFiles.writeAtomically(
            TaskExit(exitCode: 127, error: message), to: ExecutorFiles.exit(stateDir))
        return 1
    }

    /// fd 3 is the driver's pipe when it is open; otherwise /dev/null is put there so a later pipe never takes
    /// the number the second stage expects its own pipe on. Same for 0-2.
    private mutating func reserveStandardDescriptors() {
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) < 0 {
            _ = open("/dev/null", O_RDWR)
        }
        if fcntl(3, F_GETFD) >= 0 {
            _ = fcntl(3, F_SETFD, FD_CLOEXEC)
            driverFD = 3
        } else {
            let fd = open("/dev/null", O_RDWR | O_CLOEXEC)
            if fd != 3 && fd >= 0 { close(fd) }
        }
    }

    private static func ownExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A reason the task could not be started; becomes the driver's `startFailed` text.
struct StartFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// A human-readable wait status.
func describe(_ status: Int32) -> String {
    (status & 0x7f) == 0 ? "exit status \((status >> 8) & 0xff)" : "killed by signal \(status & 0x7f)"
}

/// Writes a line to the executor's own stderr (`executor.log`).
func log(_ message: String) {
    writeAll(2, Array((message + "\n").utf8))
}
