#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Directory operations the stores need, with errors that name the path.
enum FileSystem {
    /// Creates `path` and any missing parents with mode 0700; an existing directory is fine.
    static func createDirectory(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                throw PosixFile.error(path: prefix, operation: "create directory")
            }
        }
        var info = stat()
        guard stat(path, &info) == 0 else { throw PosixFile.error(path: path, operation: "stat") }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw RaftStoreError.io(path: path, operation: "create directory", reason: "a file is in the way")
        }
    }

    /// Makes renames and deletions inside `path` durable.
    static func syncDirectory(_ path: String) throws {
        let directory = try PosixFile(path: path, flags: O_RDONLY | O_DIRECTORY)
        try directory.sync()
    }

    /// The names of the entries in `path`, without "." and "..".
    static func contents(of path: String) throws -> [String] {
        guard let stream = opendir(path) else { throw PosixFile.error(path: path, operation: "list") }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func rename(_ source: String, to destination: String) throws {
        guard systemRename(source, destination) == 0 else {
            throw PosixFile.error(path: source, operation: "rename to \(destination)")
        }
    }

    /// Deletes a file; one that is already gone is fine.
    static func remove(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else { throw PosixFile.error(path: path, operation: "delete") }
    }
}

private func systemRename(_ source: String, _ destination: String) -> Int32 {
    rename(source, destination)
}
