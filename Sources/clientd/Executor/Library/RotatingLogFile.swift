#if canImport(Glibc)
    import Glibc
#endif

/// One output stream of a task written to `<dir>/<task>.<stream>.<N>`: a file is closed exactly at the size
/// limit and the next index opened, and only the newest `maxFiles` are kept. A restarted task continues after
/// the highest existing index. These names are read by the alloc FS / log streaming code.
public final class RotatingLogFile {
    public let directory: String
    public let baseName: String
    private let maxFiles: Int
    private let maxBytes: Int64
    private var index: Int
    private var size: Int64 = 0
    private var fd: Int32 = -1

    /// Opens (appending to) the newest existing file for `baseName`, e.g. `web.stdout`.
    public init(directory: String, baseName: String, maxFiles: Int, maxBytes: Int64) throws(SystemError) {
        self.directory = directory
        self.baseName = baseName
        self.maxFiles = max(1, maxFiles)
        self.maxBytes = maxBytes > 0 ? maxBytes : Int64.max
        index = Self.indices(directory: directory, baseName: baseName).last ?? 0
        try open(index, truncate: false)
        prune()
    }

    deinit { close() }

    /// The path of file number `index`.
    public func path(_ index: Int) -> String { "\(directory)/\(baseName).\(index)" }

    /// The indices of the existing files for `baseName`, ascending.
    public static func indices(directory: String, baseName: String) -> [Int] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        let prefix = baseName + "."
        var result: [Int] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasPrefix(prefix), let number = Int(name.dropFirst(prefix.count)), number >= 0 else {
                continue
            }
            result.append(number)
        }
        return result.sorted()
    }

    /// Appends `bytes`, rotating whenever the current file is full; nothing is dropped unless a write fails.
    public func write(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            if size >= maxBytes {
                rotate()
            }
            guard fd >= 0 else { return }
            let room = Int(min(maxBytes - size, Int64(bytes.count - offset)))
            let written = Glibc.write(fd, bytes.baseAddress?.advanced(by: offset), room)
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
            size += Int64(written)
        }
    }

    public func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    private func rotate() {
        close()
        index += 1
        try? open(index, truncate: true)
        prune()
    }

    private func open(_ index: Int, truncate: Bool) throws(SystemError) {
        let flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0)
        let file = path(index)
        fd = Glibc.open(file, flags, 0o644)
        guard fd >= 0 else { throw SystemError("open \(file)") }
        var info = stat()
        size = fstat(fd, &info) == 0 ? Int64(info.st_size) : 0
    }

    private func prune() {
        for old in Self.indices(directory: directory, baseName: baseName) where old <= index - maxFiles {
            unlink(path(old))
        }
    }
}
