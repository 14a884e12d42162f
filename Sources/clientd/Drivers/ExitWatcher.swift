import Foundation
import TaskExecutor

#if canImport(Glibc)
    import Glibc
#endif

/// Waits for an executor process to exit, whether this process started it or found it again after a restart:
/// a pidfd (checked against the recorded start time, so a reused PID counts as "exited") polled on a thread.
enum ExitWatcher {
    /// True once the process has exited; false when `timeout` passed first.
    static func waitForExit(pid: Int32, startTicks: UInt64, timeout: Duration?) async -> Bool {
        await BlockingCall.run { blockingWait(pid: pid, startTicks: startTicks, timeout: timeout) }
    }

    /// Whether `pid` is still the process that started at `startTicks` and has not exited.
    static func isAlive(pid: Int32, startTicks: UInt64) -> Bool {
        guard let stat = ProcStat.read(pid) else { return false }
        return stat.startTicks == startTicks && stat.state != "Z" && stat.state != "X"
    }

    private static func blockingWait(pid: Int32, startTicks: UInt64, timeout: Duration?) -> Bool {
        guard pid > 0, let fd = try? LinuxCalls.pidfdOpen(pid) else { return true }
        defer { close(fd) }
        // The pidfd pins whatever process has this PID now; only wait on it if it is the executor.
        guard let stat = ProcStat.read(pid), stat.startTicks == startTicks else { return true }
        let deadline = timeout.map { ContinuousClock.now + $0 }
        while true {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            var wait: Int32 = -1
            if let deadline {
                let left = deadline - ContinuousClock.now
                if left <= .zero { return false }
                let ms = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1
                wait = Int32(clamping: ms)
            }
            let ready = poll(&entry, 1, wait)
            if ready < 0 && errno == EINTR { continue }
            if ready > 0 {
                // Reap it if it is our child (started by this process); ECHILD otherwise, which is fine.
                var status: Int32 = 0
                _ = waitpid(pid, &status, WNOHANG)
                return true
            }
            if ready < 0 { return !isAlive(pid: pid, startTicks: startTicks) }
        }
    }
}
