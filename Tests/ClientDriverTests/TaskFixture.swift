import ClientDrivers
import Foundation
import TaskExecutor
import TestSupport

/// An alloc dir laid out the way clientd makes one (`<alloc>/<task>/{local,secrets,tmp}`, `<alloc>/alloc/logs`)
/// plus a state dir for the executor, all under one temp dir that `cleanup` removes.
struct TaskFixture {
    let root: String
    let allocID: String
    let taskName: String

    var taskDir: String { "\(root)/alloc/\(taskName)" }
    var sharedAllocDir: String { "\(root)/alloc/alloc" }
    var logDir: String { "\(sharedAllocDir)/logs" }
    var stateDir: String { "\(root)/state/\(taskName)" }

    static var executorPath: String { BuiltProducts.path("executor") }

    init(task: String = "web") throws {
        root = try TemporaryDirectory.make(prefix: "caravan-driver")
        allocID = UUID().uuidString.lowercased()
        taskName = task
        let manager = FileManager.default
        for (dir, mode) in [
            (taskDir + "/local", 0o777), (taskDir + "/secrets", 0o777), (taskDir + "/tmp", 0o1777), (logDir, 0o755),
        ] {
            try manager.createDirectory(atPath: dir, withIntermediateDirectories: true)
            chmod(dir, mode_t(mode))
        }
        chmod(root, 0o755)
    }

    func launch(
        _ command: String, _ args: [String] = [], env: [String: String] = ["PATH": "/usr/bin:/bin"],
        user: String? = nil
    ) -> TaskLaunch {
        TaskLaunch(
            allocID: allocID, taskName: taskName, isolation: .none, command: command, args: args, env: env,
            taskDir: taskDir, sharedAllocDir: sharedAllocDir, logDir: logDir, user: user)
    }

    /// The whole of log file `<task>.<stream>.<index>`, "" when it does not exist.
    func log(_ stream: String, _ index: Int = 0) -> String {
        (try? String(contentsOfFile: "\(logDir)/\(taskName).\(stream).\(index)", encoding: .utf8)) ?? ""
    }

    /// Polls a log file until it contains `text` or the deadline passes.
    func waitForLog(_ stream: String, containing text: String, timeout: Duration = .seconds(15)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if log(stream).contains(text) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    func cleanup() {
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// The test process's mount table lines that mention `path`.
func hostMounts(mentioning path: String) -> [String] {
    let table = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
    return table.split(separator: "\n").map(String.init).filter { $0.contains(path) }
}

/// Runs `body` with the driver's stdout lines of the task, after it exited.
func lines(_ text: String) -> [String] {
    text.split(separator: "\n").map(String.init)
}
