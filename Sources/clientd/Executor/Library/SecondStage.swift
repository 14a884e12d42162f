import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What both second stages share: reading the plan, reporting to the executor on fd 3, joining a netns.
enum SecondStage {
    static let reportFD: Int32 = 3

    static func loadPlan(_ stateDir: String) -> StagePlan {
        _ = fcntl(reportFD, F_SETFD, FD_CLOEXEC)
        guard let plan = ExecutorFiles.read(StagePlan.self, from: ExecutorFiles.plan(stateDir)) else {
            fail("executor: cannot read \(ExecutorFiles.plan(stateDir))")
        }
        return plan
    }

    static func fail(_ message: String) -> Never {
        writeJSONLine(StageMessage(error: message), to: reportFD)
        _exit(127)
    }

    static func joinNetworkNamespace(_ path: String?) {
        guard let path else { return }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { fail("open network namespace \(path): \(errnoText(errno))") }
        do {
            try LinuxCalls.setns(fd, LinuxCalls.cloneNewNet)
        } catch {
            fail("join network namespace \(path): \(errnoText(error.errno))")
        }
        close(fd)
    }

    /// `workDir` as seen by the task: "" is `base`, a relative path is under `base`.
    static func workDir(_ workDir: String, base: String) -> String {
        if workDir.isEmpty { return base }
        if workDir.hasPrefix("/") { return workDir }
        return base.hasSuffix("/") ? base + workDir : base + "/" + workDir
    }
}

/// raw_exec's second stage, `executor --shim <state-dir>`: sets up the session, user and working dir and
/// replaces itself with the task, so the task is the executor's direct child. On exec, fd 3 closes (it is
/// close-on-exec), which tells the executor the task started.
enum RawShim {
    static func run(stateDir: String) -> Never {
        let plan = SecondStage.loadPlan(stateDir)
        let launch = plan.launch
        SecondStage.joinNetworkNamespace(launch.networkNamespacePath)
        let workDir = SecondStage.workDir(launch.workDir, base: launch.taskDir)
        let path: String
        switch CommandLookup.resolve(launch.command, searchPath: launch.env["PATH"], baseDirectory: launch.taskDir) {
        case .success(let found): path = found
        case .failure(let problem): SecondStage.fail(problem.message)
        }
        let task = TaskProcess(path: path, launch: launch, workDir: workDir, user: plan.user)
        let (step, code) = task.become(cgroupFDs: [])
        SecondStage.fail(step.message(command: launch.command, path: path, workDir: workDir, errno: code))
    }
}
