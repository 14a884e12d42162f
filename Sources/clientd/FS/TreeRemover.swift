import Foundation

/// Removes a directory tree without following symbolic links and without crossing into another file system,
/// so a link or a mount a task left inside its allocation cannot make cleanup delete files outside it.
enum TreeRemover {
    /// Removes `path` and everything under it; a missing `path` is not an error.
    static func remove(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw AllocDirError.system("lstat", path)
        }
        let parent = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let parentFD = open(parent.isEmpty ? "." : parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard parentFD >= 0 else { throw AllocDirError.system("open", parent) }
        defer { close(parentFD) }
        try remove(name, in: parentFD, displayPath: path, device: info.st_dev)
    }

    private static func remove(_ name: String, in parentFD: Int32, displayPath: String, device: dev_t) throws {
        var info = stat()
        guard fstatat(parentFD, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
            if errno == ENOENT { return }
            throw AllocDirError.system("lstat", displayPath)
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            guard unlinkat(parentFD, name, 0) == 0 || errno == ENOENT else {
                throw AllocDirError.system("unlink", displayPath)
            }
            return
        }
        guard info.st_dev == device else {
            throw AllocDirError("remove", displayPath, reason: "another file system is mounted there")
        }
        let fd = openat(parentFD, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw AllocDirError.system("open", displayPath) }
        defer { close(fd) }
        for child in try entries(of: fd, displayPath: displayPath) {
            try remove(child, in: fd, displayPath: displayPath + "/" + child, device: device)
        }
        guard unlinkat(parentFD, name, AT_REMOVEDIR) == 0 || errno == ENOENT else {
            throw AllocDirError.system("rmdir", displayPath)
        }
    }

    /// The names in the directory open as `fd`, without "." and "..".
    static func entries(of fd: Int32, displayPath: String) throws -> [String] {
        let copy = dup(fd)
        guard copy >= 0, let directory = fdopendir(copy) else {
            throw AllocDirError.system("opendir", displayPath)
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
