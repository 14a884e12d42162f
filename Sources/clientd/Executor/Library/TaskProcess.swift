#if canImport(Glibc)
    import Glibc
#endif

/// The final `execve` of the task, prepared up front so the forked child only makes plain system calls.
struct TaskProcess {
    let path: String
    let arguments: CStringArray
    let environment: CStringArray
    let workDir: String
    let user: ResolvedUser?

    init(path: String, launch: TaskLaunch, workDir: String, user: ResolvedUser?) {
        self.path = path
        arguments = CStringArray([launch.command] + launch.args)
        environment = CStringArray(launch.env.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
        self.workDir = workDir
        self.user = user
    }

    /// The step that failed, reported with its errno through the exec-error pipe.
    enum Step: UInt8 {
        case session = 1, cgroup, groups, gid, uid, chdir, exec

        func message(command: String, path: String, workDir: String, errno code: Int32) -> String {
            switch self {
            case .session: "setsid: \(errnoText(code))"
            case .cgroup: "join cgroup: \(errnoText(code))"
            case .groups: "setgroups: \(errnoText(code))"
            case .gid: "setgid: \(errnoText(code))"
            case .uid: "setuid: \(errnoText(code))"
            case .chdir: "chdir \(workDir): \(errnoText(code))"
            case .exec: "exec: \"\(command)\" (\(path)): \(errnoText(code))"
            }
        }
    }

    /// Becomes the task: new session, cgroups, user, working dir, then exec. Returns only on failure, with
    /// the failed step and errno.
    func become(cgroupFDs: [Int32]) -> (Step, Int32) {
        guard setsid() >= 0 else { return (.session, errno) }
        for fd in cgroupFDs {
            guard write(fd, "0", 1) == 1 else { return (.cgroup, errno) }
        }
        if let user, getuid() == 0 {
            let groups = user.groups.map { gid_t($0) }
            guard setgroups(groups.count, groups) == 0 else { return (.groups, errno) }
            guard setgid(user.gid) == 0 else { return (.gid, errno) }
            guard setuid(user.uid) == 0 else { return (.uid, errno) }
        }
        guard chdir(workDir) == 0 else { return (.chdir, errno) }
        var empty = sigset_t()
        sigemptyset(&empty)
        sigprocmask(SIG_SETMASK, &empty, nil)
        execve(path, arguments.pointers, environment.pointers)
        return (.exec, errno)
    }
}
