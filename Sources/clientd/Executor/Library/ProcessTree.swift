#if canImport(Glibc)
    import Glibc
#endif

/// Kills what is left of a task's session without ever touching an unrelated process that reused a PID.
public enum ProcessTree {
    /// SIGKILLs every process in the session the task leader `leaderPID` created (it called setsid, so the
    /// session ID is its PID). A session ID cannot be reused while any member lives, so when a *different*
    /// process now holds that PID (or the leader cannot be verified) nothing is killed.
    public static func killSession(leaderPID: Int32, leaderStartTicks: UInt64, procRoot: String = "/proc") {
        guard leaderPID > 1 else { return }
        if let leader = ProcStat.read(leaderPID, procRoot: procRoot),
            leaderStartTicks == 0 || leader.startTicks != leaderStartTicks
        {
            return
        }
        for process in ProcStat.all(procRoot: procRoot) where process.session == leaderPID {
            kill(process.pid, SIGKILL)
        }
    }

    /// The children of `parentPID` (scans /proc: the kernel here has no `/proc/<pid>/task/<tid>/children`).
    public static func children(of parentPID: Int32, procRoot: String = "/proc") -> [ProcStat] {
        ProcStat.all(procRoot: procRoot).filter { $0.parentPID == parentPID }
    }
}
