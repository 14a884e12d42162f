import ClientDrivers
import TaskExecutor

extension TaskOutcome {
    /// The outcome of a run the executor reported.
    init(_ exit: TaskExit) {
        self = .exited(code: exit.exitCode, signal: exit.signal, oomKilled: exit.oomKilled, error: exit.error)
    }

    /// The outcome of a driver refusing to start a task: a bad config or a missing driver will not fix itself.
    init(_ error: DriverError) {
        switch error {
        case .invalidConfig, .unavailable: self = .startFailed(error.description, recoverable: false)
        case .startFailed, .signalFailed: self = .startFailed(error.description, recoverable: true)
        }
    }
}
