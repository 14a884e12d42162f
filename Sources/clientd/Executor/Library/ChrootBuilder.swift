#if canImport(Glibc)
    import Glibc
#endif

/// Builds the exec driver's filesystem view inside the task's private mount namespace: the task dir as root,
/// read-only host system dirs, a minimal /dev, a /proc of the task's PID namespace, /alloc and the volumes.
/// Every mount lives only in that namespace and goes away with it.
struct ChrootBuilder {
    let launch: TaskLaunch
    var root: String { launch.taskDir }

    static let systemDirectories = ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/usr", "/etc"]
    static let deviceNodes = ["null", "zero", "full", "random", "urandom", "tty"]

    func build() throws(StartFailure) {
        guard root.hasPrefix("/") else { throw StartFailure("task dir \"\(root)\" is not an absolute path") }
        for directory in Self.systemDirectories { try bindSystemDirectory(directory) }
        try buildDev()
        try makeDirectory(root + "/proc", mode: 0o555)
        try mount("proc", root + "/proc", type: "proc", flags: UInt(MS_NOSUID | MS_NODEV | MS_NOEXEC))
        try makeDirectory(root + "/alloc", mode: 0o755)
        try bind(launch.sharedAllocDir, root + "/alloc", readOnly: false)
        for (name, mode) in [("local", 0o777), ("secrets", 0o777), ("tmp", 0o1777)] {
            var info = stat()
            if lstat(root + "/" + name, &info) != 0 {
                try makeDirectory(root + "/" + name, mode: mode_t(mode))
            }
        }
        for volume in launch.mounts { try mountVolume(volume) }
    }

    /// Host `/bin` etc.: a symlink (merged /usr) is recreated as the same symlink, a directory bound read-only.
    private func bindSystemDirectory(_ directory: String) throws(StartFailure) {
        var info = stat()
        guard lstat(directory, &info) == 0 else { return }
        let target = root + directory
        if (info.st_mode & S_IFMT) == S_IFLNK {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(directory, &buffer, buffer.count - 1)
            guard count > 0 else { return }
            var existing = stat()
            if lstat(target, &existing) == 0 { return }
            guard symlink(buffer, target) == 0 else {
                throw StartFailure("symlink \(target): \(errnoText(errno))")
            }
            return
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { return }
        try makeDirectory(target, mode: 0o755)
        try bind(directory, target, readOnly: true)
    }

    /// A tmpfs /dev holding only harmless device nodes (bound from the host), the usual links and /dev/shm.
    private func buildDev() throws(StartFailure) {
        let dev = root + "/dev"
        try makeDirectory(dev, mode: 0o755)
        try mount("tmpfs", dev, type: "tmpfs", flags: UInt(MS_NOSUID), data: "mode=755,size=65536k")
        for node in Self.deviceNodes {
            var info = stat()
            guard stat("/dev/" + node, &info) == 0 else { continue }
            let fd = open(dev + "/" + node, O_WRONLY | O_CREAT | O_CLOEXEC, 0o666)
            guard fd >= 0 else { throw StartFailure("create \(dev)/\(node): \(errnoText(errno))") }
            close(fd)
            try bind("/dev/" + node, dev + "/" + node, readOnly: false)
        }
        for (name, target) in [
            ("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
            ("stderr", "/proc/self/fd/2"),
        ] {
            symlink(target, dev + "/" + name)
        }
        try makeDirectory(dev + "/shm", mode: 0o1777)
        try mount("shm", dev + "/shm", type: "tmpfs", flags: UInt(MS_NOSUID | MS_NODEV), data: "mode=1777")
    }

    /// A host volume at its destination; read-only volumes are remounted so writes fail with EROFS.
    private func mountVolume(_ volume: TaskMount) throws(StartFailure) {
        let destination = volume.destination
        let parts = destination.split(separator: "/")
        guard destination.hasPrefix("/"), !parts.contains(".."), !parts.isEmpty else {
            throw StartFailure("volume destination \"\(destination)\" must be an absolute path without \"..\"")
        }
        var source = stat()
        guard stat(volume.hostPath, &source) == 0 else {
            throw StartFailure("volume host path \"\(volume.hostPath)\": \(errnoText(errno))")
        }
        let isDirectory = (source.st_mode & S_IFMT) == S_IFDIR
        // Create the mount point one component at a time, refusing symlinks: the task owns these dirs and a
        // link it planted must not redirect a mount onto the host.
        var path = root
        for (index, part) in parts.enumerated() {
            path += "/" + part
            var info = stat()
            if lstat(path, &info) == 0 {
                if (info.st_mode & S_IFMT) == S_IFLNK {
                    throw StartFailure("volume destination \"\(destination)\" passes through a symlink")
                }
                continue
            }
            if index == parts.count - 1 && !isDirectory {
                let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
                guard fd >= 0 else { throw StartFailure("create mount point \(path): \(errnoText(errno))") }
                close(fd)
            } else {
                try makeDirectory(path, mode: 0o755)
            }
        }
        try bind(volume.hostPath, path, readOnly: volume.readOnly)
    }

    private func bind(_ source: String, _ target: String, readOnly: Bool) throws(StartFailure) {
        try mount(source, target, type: nil, flags: UInt(MS_BIND | MS_REC))
        if readOnly {
            try mount(nil, target, type: nil, flags: UInt(MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC))
        }
    }

    private func mount(_ source: String?, _ target: String, type: String?, flags: UInt, data: String? = nil)
        throws(StartFailure)
    {
        let result = Glibc.mount(source, target, type, flags, data)
        guard result == 0 else {
            throw StartFailure("mount \(source ?? "") on \(target): \(errnoText(errno))")
        }
    }

    private func makeDirectory(_ path: String, mode: mode_t) throws(StartFailure) {
        if mkdir(path, mode) == 0 {
            chmod(path, mode)
            return
        }
        guard errno == EEXIST else { throw StartFailure("mkdir \(path): \(errnoText(errno))") }
    }
}
