import CaravanProto
import Foundation
import SwiftProtobuf
import TaskExecutor

/// A way of running tasks (`exec`, `raw_exec`). The task runner talks to drivers only through this protocol, so
/// a task started by an earlier clientd is waited on, signalled and stopped exactly like a new one.
public protocol TaskDriver: Sendable {
    /// The name jobs use in `driver = "..."`.
    var name: String { get }
    /// Whether this node can run the driver; becomes `Node.drivers[name]`.
    func fingerprint() -> Caravan_V1_DriverInfo
    /// Reads the task's `config { ... }`; unknown keys, wrong types and a missing command are errors.
    func parseConfig(_ config: Google_Protobuf_Struct) throws(DriverError) -> DriverTaskConfig
    /// Starts the task under a new executor; returns once the task's process exists (or throws why it cannot).
    func start(_ launch: TaskLaunch, stateDir: String) async throws(DriverError) -> TaskHandle
    /// Waits until the task exits; also for handles recovered after a clientd restart.
    func wait(_ handle: TaskHandle) async -> TaskExit
    /// Whether the task's executor is still running (the same process, not a reused PID).
    func isRunning(_ handle: TaskHandle) -> Bool
    /// Sends `signal` to the task's process group.
    func signal(_ handle: TaskHandle, _ signal: Int32) throws(DriverError)
    /// Sends `signal`, waits up to `timeout`, then kills everything the task started; returns how it ended.
    func stop(_ handle: TaskHandle, signal: Int32, timeout: Duration) async -> TaskExit
    /// Removes what the task left behind (cgroups, the state dir). Call after the task has exited.
    func destroy(_ handle: TaskHandle)
}

/// The driver-specific part of a task, parsed from its `config` block.
public struct DriverTaskConfig: Sendable, Equatable {
    public var command: String
    public var args: [String]
    public var workDir: String

    public init(command: String, args: [String] = [], workDir: String = "") {
        self.command = command
        self.args = args
        self.workDir = workDir
    }
}

/// What clientd persists to find a running task again: the executor's PID and start time (so a reused PID is not
/// mistaken for it), the task's PID and the state dir holding `launch.json` and, later, `exit.json`.
public struct TaskHandle: Codable, Sendable, Equatable {
    public var driver: String
    public var executorPID: Int32
    /// Field 22 of /proc/<pid>/stat when the executor started.
    public var executorStartTicks: UInt64
    public var taskPID: Int32
    /// Field 22 of the task's /proc stat, so what is left of its session can be found without mistaking a
    /// process that reused the PID (nil when it exited before it could be read).
    public var taskStartTicks: UInt64?
    public var stateDir: String
    /// Cgroup directories the executor created for the task (removed by destroy).
    public var cgroupPaths: [String]
    public var startedAt: Date

    public init(
        driver: String, executorPID: Int32, executorStartTicks: UInt64, taskPID: Int32, stateDir: String,
        cgroupPaths: [String] = [], startedAt: Date = Date(), taskStartTicks: UInt64? = nil
    ) {
        self.taskStartTicks = taskStartTicks
        self.driver = driver
        self.executorPID = executorPID
        self.executorStartTicks = executorStartTicks
        self.taskPID = taskPID
        self.stateDir = stateDir
        self.cgroupPaths = cgroupPaths
        self.startedAt = startedAt
    }
}

/// Why a driver refused or failed a task; the message becomes the task event's text.
public enum DriverError: Error, Equatable, CustomStringConvertible {
    /// The task's `config` block is wrong (unknown key, wrong type, missing command).
    case invalidConfig(String)
    /// The driver is disabled or unavailable on this node.
    case unavailable(String)
    /// The task could not be started (command not found, mount failed, ...).
    case startFailed(String)
    /// Signalling failed (the task is gone, bad signal).
    case signalFailed(String)

    public var description: String {
        switch self {
        case .invalidConfig(let text), .unavailable(let text), .startFailed(let text), .signalFailed(let text): text
        }
    }
}
