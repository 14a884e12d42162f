import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// exec's second stage, `executor --init <state-dir>`: PID 1 of the task's new PID namespace. It creates the
/// private mount, UTS and IPC namespaces, mounts the chroot, forks the task (which enters the chroot, joins the
/// cgroups, drops to its user and execs) and then stays as a tiny init: it forwards every signal it gets to the
/// task's process group and reaps orphans. The task itself is never PID 1, so signals it has no handler for (SIGTERM from
/// `kill_signal`) still kill it as users expect. When the task exits, init reports its status on fd 3 and
/// exits, and the kernel kills whatever else is left in the namespace.
enum NamespaceInit {
    static func run(stateDir: String) -> Never {
        // Block everything first: signals are taken with sigwaitinfo, none is lost before the loop runs.
        var all = sigset_t()
        sigfillset(&all)
        sigprocmask(SIG_BLOCK, &all, nil)

        let plan = SecondStage.loadPlan(stateDir)
        let launch = plan.launch
        SecondStage.joinNetworkNamespace(launch.networkNamespacePath)
        do {
            try LinuxCalls.unshare(LinuxCalls.cloneNewNS | LinuxCalls.cloneNewUTS | LinuxCalls.cloneNewIPC)
        } catch {
            SecondStage.fail(error.description)
        }
        // Nothing mounted below may propagate to the host's mount table.
        guard mount(nil, "/", nil, UInt(MS_REC | MS_PRIVATE), nil) == 0 else {
            SecondStage.fail("make / private: \(errnoText(errno))")
        }
        let hostname = String(launch.allocID.prefix(8))
        if !hostname.isEmpty && sethostname(hostname, hostname.utf8.count) != 0 {
            SecondStage.fail("sethostname: \(errnoText(errno))")
        }
        do {
            try ChrootBuilder(launch: launch).build()
        } catch {
            SecondStage.fail(error.message)
        }
        var cgroupFDs: [Int32] = []
        for file in plan.cgroupProcs {
            let fd = open(file, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { SecondStage.fail("open \(file): \(errnoText(errno))") }
            cgroupFDs.append(fd)
        }
        let workDir = SecondStage.workDir(launch.workDir, base: "/")
        let errorPipe: (read: Int32, write: Int32)
        do {
            errorPipe = try LinuxCalls.pipe()
        } catch {
            SecondStage.fail(error.description)
        }

        // This process is single-threaded (nothing here starts threads), so fork is safe.
        let pid = fork()
        if pid == 0 {
            runTask(launch: launch, user: plan.user, workDir: workDir, cgroupFDs: cgroupFDs, pipe: errorPipe.write)
        }
        guard pid > 0 else { SecondStage.fail("fork: \(errnoText(errno))") }
        close(errorPipe.write)
        for fd in cgroupFDs { close(fd) }
        var records = LineReader(fd: errorPipe.read)
        let outcome = ChildRecord.parse(records.readBytesToEnd())
        close(errorPipe.read)
        if let failure = outcome.failure {
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            SecondStage.fail(failure)
        }
        writeJSONLine(StageMessage(started: true, taskPID: outcome.hostPID), to: SecondStage.reportFD)
        superviseTask(pid)
    }

    /// The forked child: records its PID as the host sees it, enters the chroot, finds the command there and
    /// becomes the task. Anything that fails is written to `pipe` for init to report.
    private static func runTask(
        launch: TaskLaunch, user: ResolvedUser?, workDir: String, cgroupFDs: [Int32], pipe: Int32
    ) -> Never {
        // /proc is still the host's here (the task's own is mounted inside the chroot).
        var buffer = [CChar](repeating: 0, count: 32)
        let count = readlink("/proc/self", &buffer, buffer.count - 1)
        if count > 0,
            let hostPID = Int32(String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self))
        {
            writeAll(pipe, ChildRecord.pid(hostPID))
        }
        guard chroot(launch.taskDir) == 0, chdir("/") == 0 else {
            writeAll(pipe, ChildRecord.message("chroot \(launch.taskDir): \(errnoText(errno))"))
            _exit(127)
        }
        switch CommandLookup.resolve(launch.command, searchPath: launch.env["PATH"], baseDirectory: "/") {
        case .success(let path):
            let task = TaskProcess(path: path, launch: launch, workDir: workDir, user: user)
            let (step, code) = task.become(cgroupFDs: cgroupFDs)
            let text = step.message(command: launch.command, path: path, workDir: workDir, errno: code)
            writeAll(pipe, ChildRecord.message(text))
        case .failure(let problem):
            writeAll(pipe, ChildRecord.message(problem.message))
        }
        _exit(127)
    }

    /// The init loop: forward signals to the task's process group, reap every child, exit with the task.
    private static func superviseTask(_ task: pid_t) -> Never {
        var all = sigset_t()
        sigfillset(&all)
        while true {
            var info = siginfo_t()
            let signal = sigwaitinfo(&all, &info)
            if signal < 0 { continue }
            if signal != SIGCHLD {
                if kill(-task, signal) != 0 { kill(task, signal) }
                continue
            }
            while true {
                var status: Int32 = 0
                let reaped = waitpid(-1, &status, WNOHANG)
                if reaped <= 0 { break }
                if reaped == task {
                    let exited = (status & 0x7f) == 0
                    writeJSONLine(
                        StageMessage(exitCode: exited ? (status >> 8) & 0xff : 0, signal: exited ? 0 : status & 0x7f),
                        to: SecondStage.reportFD)
                    _exit(0)
                }
            }
        }
    }
}

/// What the forked child tells init through its close-on-exec pipe: its host PID, then nothing (exec
/// succeeded, the pipe closed) or why it failed.
enum ChildRecord {
    static func pid(_ pid: Int32) -> [UInt8] { [0] + withUnsafeBytes(of: pid) { Array($0) } }
    static func message(_ text: String) -> [UInt8] { [1] + Array(text.utf8) }

    static func parse(_ bytes: [UInt8]) -> (hostPID: Int32?, failure: String?) {
        var hostPID: Int32?
        var rest = bytes[...]
        if rest.first == 0, rest.count >= 5 {
            hostPID = rest.dropFirst().prefix(4).withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }
            rest = rest.dropFirst(5)
        }
        if rest.first == 1 { return (hostPID, String(decoding: rest.dropFirst(), as: UTF8.self)) }
        return (hostPID, nil)
    }
}
