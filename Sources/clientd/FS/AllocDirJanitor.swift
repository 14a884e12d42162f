import Foundation

/// Cleans up after a crash: removes the directories of allocations this node no longer runs.
public enum AllocDirJanitor {
    /// Destroys every allocation directory under `root` whose name is not in `keeping` (files are left alone)
    /// and returns the removed allocation ids, sorted. Tries every directory; if some could not be removed,
    /// throws the first failure after the others are done. A missing `root` has nothing to clean.
    @discardableResult
    public static func removeAllocDirs(root: String, keeping: Set<String>) throws -> [String] {
        let fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return [] }
            throw AllocDirError.system("open", root)
        }
        let names: [String]
        do {
            defer { close(fd) }
            names = try TreeRemover.entries(of: fd, displayPath: root)
        }
        var removed: [String] = []
        var failures: [AllocDirError] = []
        for name in names.sorted() where !keeping.contains(name) {
            var info = stat()
            guard lstat(root + "/" + name, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { continue }
            do {
                try AllocDir(root: root, allocID: name).destroy()
                removed.append(name)
            } catch let error as AllocDirError {
                failures.append(error)
            }
        }
        if let first = failures.first { throw first }
        return removed
    }
}
