import Foundation

/// The directory tree of one allocation, laid out as Nomad lays it out so existing jobs find their files:
///
///     <alloc-root>/<alloc-id>/alloc/{logs,tmp,data}      shared by every task of the allocation
///     <alloc-root>/<alloc-id>/<task>/{local,secrets,tmp}  one per task (secrets on tmpfs, 0700)
public struct AllocDir: Sendable, Equatable {
    /// `<data_dir>/alloc`.
    public let root: String
    public let allocID: String

    public init(root: String, allocID: String) {
        self.root = root
        self.allocID = allocID
    }

    /// `<alloc-root>/<alloc-id>`.
    public var path: String { root + "/" + allocID }
    /// The shared dir every task sees as `/alloc`.
    public var sharedDir: String { path + "/alloc" }
    public var logsDir: String { sharedDir + "/logs" }
    public var sharedTmpDir: String { sharedDir + "/tmp" }
    public var sharedDataDir: String { sharedDir + "/data" }

    public func taskDir(_ task: String) -> TaskDir { TaskDir(path: path + "/" + task) }
}

/// One task's directory inside an allocation dir.
public struct TaskDir: Sendable, Equatable {
    /// `<alloc-root>/<alloc-id>/<task>`: the chroot root of an exec task.
    public let path: String

    public var localDir: String { path + "/local" }
    public var secretsDir: String { path + "/secrets" }
    public var tmpDir: String { path + "/tmp" }
}
