import Foundation

extension AllocDir {
    /// Size of each task's `secrets` tmpfs: tokens and templates, not data.
    public static let secretsSize = "1m"

    /// Creates the tree for `tasks`, or completes it after a restart: existing directories keep their content and
    /// get their modes back, and a `secrets` dir already mounted is left as it is.
    ///
    /// The shared `alloc/`, `alloc/data` and `alloc/logs` are writable by every task (tasks may run as nobody);
    /// `tmp` dirs are 1777; each task's `secrets` is a tmpfs (0700, owned by the task's user) so secrets never
    /// reach the disk. `owner` gives a task's user; nil leaves the task's dirs to root but writable by all.
    public func build(tasks: [String], owner: (String) -> TaskOwner? = { _ in nil }) throws {
        for task in tasks where !Self.isValidTaskName(task) {
            throw AllocDirError("create task dir for", task, reason: "not a valid task name")
        }
        try Self.makeDirectory(root, mode: 0o755, createParents: true)
        try Self.makeDirectory(path, mode: 0o755)
        try Self.makeDirectory(sharedDir, mode: 0o777)
        try Self.makeDirectory(logsDir, mode: 0o777)
        try Self.makeDirectory(sharedDataDir, mode: 0o777)
        try Self.makeDirectory(sharedTmpDir, mode: 0o1777)
        let mounts = try MountTable.mountPoints()
        for task in tasks {
            let dir = taskDir(task)
            let taskOwner = owner(task)
            try Self.makeDirectory(dir.path, mode: 0o755)
            try Self.makeDirectory(dir.localDir, mode: taskOwner == nil ? 0o777 : 0o755, owner: taskOwner)
            try Self.makeDirectory(dir.tmpDir, mode: 0o1777)
            try Self.makeDirectory(dir.secretsDir, mode: 0o700, owner: taskOwner)
            let secrets = Self.realPath(dir.secretsDir) ?? dir.secretsDir
            if !mounts.contains(secrets) {
                try MountTable.mountTmpfs(at: dir.secretsDir, size: Self.secretsSize, mode: 0o700, owner: taskOwner)
            }
        }
    }

    /// Unmounts everything mounted inside the allocation (deepest first, lazily), then removes the tree without
    /// following links out of it. Removing a tree that is already gone succeeds.
    public func destroy() throws {
        let base = Self.realPath(path) ?? path
        let inside = try MountTable.mountPoints().filter { $0 == base || $0.hasPrefix(base + "/") }
        for mountPoint in Set(inside).sorted(by: { $0.count > $1.count }) {
            try MountTable.detach(mountPoint)
        }
        try TreeRemover.remove(path)
    }

    /// A task name that is one safe path component (it names a directory of the allocation).
    public static func isValidTaskName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && name != "alloc" && !name.contains("/") && !name.contains("\0")
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// mkdir that accepts an existing directory (never a link to one), then sets mode and owner explicitly
    /// (mkdir's mode is cut by the umask).
    static func makeDirectory(
        _ path: String, mode: mode_t, owner: TaskOwner? = nil, createParents: Bool = false
    ) throws {
        var info = stat()
        // The root may be reached through a link an operator made; nothing below it may be one.
        if (createParents ? stat(path, &info) : lstat(path, &info)) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw AllocDirError("create directory", path, reason: "exists and is not a directory")
            }
        } else if createParents {
            var prefix = path.hasPrefix("/") ? "" : "."
            for component in path.split(separator: "/") {
                prefix += "/" + component
                guard mkdir(prefix, 0o755) == 0 || errno == EEXIST else { throw AllocDirError.system("mkdir", prefix) }
            }
        } else if mkdir(path, mode) != 0 && errno != EEXIST {
            throw AllocDirError.system("mkdir", path)
        }
        if let owner, chown(path, owner.uid, owner.gid) != 0 {
            throw AllocDirError.system("chown", path)
        }
        guard chmod(path, mode) == 0 else { throw AllocDirError.system("chmod", path) }
    }
}
