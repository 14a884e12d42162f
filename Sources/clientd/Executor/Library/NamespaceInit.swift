import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// exec's second stage, `executor --init <state-dir>`: PID 1 of the task's new PID namespace. It creates the
/// private mount, UTS and IPC namespaces, builds the chroot, forks the task (which joins the cgroups, drops to
/// its user and execs) and then stays as a tiny init: it forwards every signal it gets to the task's process
/// group and reaps orphans. The task itself is never PID 1, so signals it has no handler for (SIGTERM from
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
        guard chroot(launch.taskDir) == 0, chdir("/") == 0 else {
            SecondStage.fail("chroot \(launch.taskDir): \(errnoText(errno))")
        }
        let path: String
        switch CommandLookup.resolve(launch.command, searchPath: launch.env["PATH"], baseDirectory: "/") {
        case .success(let found): path = found
        case .failure(let problem): SecondStage.fail(problem.message)
        }
        let workDir = SecondStage.workDir(launch.workDir, base: "/")
        let task = TaskProcess(path: path, launch: launch, workDir: workDir, user: plan.user)
        let errorPipe: (read: Int32, write: Int32)
        do {
            errorPipe = try LinuxCalls.pipe()
        } catch {
            SecondStage.fail(error.description)
        }

        // This process is single-threaded (nothing here starts threads), so fork is safe.
        let pid = fork()
        if pid == 0 {
            let (step, code) = task.become(cgroupFDs: cgroupFDs)
            var record: [UInt8] = [step.rawValue]
            withUnsafeBytes(of: code) { record.append(contentsOf: $0) }
            writeAll(errorPipe.write, record)
            _exit(127)
        }
        guard pid > 0 else { SecondStage.fail("fork: \(errnoText(errno))") }
        close(errorPipe.write)
        for fd in cgroupFDs { close(fd) }
        var failure = LineReader(fd: errorPipe.read)
        let record = failure.readBytesToEnd()
        if record.count >= 5, let step = TaskProcess.Step(rawValue: record[0]) {
            let code = record[1..<5].withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            SecondStage.fail(step.message(command: launch.command, path: path, workDir: workDir, errno: code))
        }
        writeJSONLine(StageMessage(started: true), to: SecondStage.reportFD)
        superviseTask(pid)
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
