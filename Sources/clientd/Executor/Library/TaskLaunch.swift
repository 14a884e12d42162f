import Foundation

/// Everything the executor needs to start and supervise one task. clientd writes it as JSON into the task's
/// state dir and starts `executor <state-dir>`; the executor outlives clientd so tasks survive its restarts.
public struct TaskLaunch: Codable, Sendable, Equatable {
    /// Which isolation the executor applies.
    public enum Isolation: String, Codable, Sendable {
        /// A plain child process of the executor (raw_exec).
        case none
        /// New mount, PID, UTS and IPC namespaces, a chroot of the task dir, cgroup limits, a user (exec).
        case namespaces
    }

    public var allocID: String
    public var taskName: String
    public var isolation: Isolation
    /// Absolute path, or a name looked up in PATH (inside the chroot for `namespaces`).
    public var command: String
    public var args: [String]
    /// The task's complete environment (nothing is inherited from clientd).
    public var env: [String: String]
    /// Host path of `<alloc>/<task>`: the chroot root under `namespaces`, the working directory otherwise.
    public var taskDir: String
    /// Host path of the shared `<alloc>/alloc` dir; bind-mounted at `/alloc` under `namespaces`.
    public var sharedAllocDir: String
    /// Working directory inside the task's view ("" = the task dir / chroot root).
    public var workDir: String
    /// Where `<task>.stdout.N` and `<task>.stderr.N` are written (`<alloc>/alloc/logs`).
    public var logDir: String
    public var logMaxFiles: Int
    public var logMaxFileSizeBytes: Int64
    /// OS user to run as; nil = the executor's own user. exec defaults to "nobody".
    public var user: String?
    /// CPU shares in MHz (0 = no limit).
    public var cpuMHz: Int64
    /// Memory limit in MiB (0 = no limit); the task is OOM-killed above memoryMaxMB, or memoryMB when that is 0.
    public var memoryMB: Int64
    public var memoryMaxMB: Int64
    /// Host volumes and other bind mounts, applied inside the task's mount namespace.
    public var mounts: [TaskMount]
    /// A network namespace (e.g. `/var/run/netns/<alloc>`) the task joins; nil = the host's.
    public var networkNamespacePath: String?
    /// Where the cgroup filesystem is mounted; nil = `/sys/fs/cgroup`. Set by the exec driver.
    public var cgroupRoot: String?

    public init(
        allocID: String, taskName: String, isolation: Isolation, command: String, args: [String] = [],
        env: [String: String] = [:], taskDir: String, sharedAllocDir: String, workDir: String = "",
        logDir: String, logMaxFiles: Int = 10, logMaxFileSizeBytes: Int64 = 10 * 1024 * 1024, user: String? = nil,
        cpuMHz: Int64 = 0, memoryMB: Int64 = 0, memoryMaxMB: Int64 = 0, mounts: [TaskMount] = [],
        networkNamespacePath: String? = nil
    ) {
        self.allocID = allocID
        self.taskName = taskName
        self.isolation = isolation
        self.command = command
        self.args = args
        self.env = env
        self.taskDir = taskDir
        self.sharedAllocDir = sharedAllocDir
        self.workDir = workDir
        self.logDir = logDir
        self.logMaxFiles = logMaxFiles
        self.logMaxFileSizeBytes = logMaxFileSizeBytes
        self.user = user
        self.cpuMHz = cpuMHz
        self.memoryMB = memoryMB
        self.memoryMaxMB = memoryMaxMB
        self.mounts = mounts
        self.networkNamespacePath = networkNamespacePath
    }
}

/// A bind mount into the task: a host volume at its `volume_mount` destination.
public struct TaskMount: Codable, Sendable, Equatable {
    public var hostPath: String
    /// Absolute path inside the task's view.
    public var destination: String
    public var readOnly: Bool

    public init(hostPath: String, destination: String, readOnly: Bool) {
        self.hostPath = hostPath
        self.destination = destination
        self.readOnly = readOnly
    }
}

/// How a task ended, written by the executor as `exit.json` in the state dir before it exits.
public struct TaskExit: Codable, Sendable, Equatable {
    public var exitCode: Int32
    /// The signal that killed the task (0 when it exited on its own).
    public var signal: Int32
    /// The kernel killed it for exceeding its memory limit.
    public var oomKilled: Bool
    public var finishedAt: Date
    /// Set when the task never ran or its supervisor failed (e.g. "exec: \"nosuch\": not found in the chroot").
    public var error: String?

    public init(
        exitCode: Int32, signal: Int32 = 0, oomKilled: Bool = false, finishedAt: Date = Date(), error: String? = nil
    ) {
        self.exitCode = exitCode
        self.signal = signal
        self.oomKilled = oomKilled
        self.finishedAt = finishedAt
        self.error = error
    }

    /// Exited with status 0 and no error.
    public var succeeded: Bool { exitCode == 0 && signal == 0 && error == nil && !oomKilled }
}
