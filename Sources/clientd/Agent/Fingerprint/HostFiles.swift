#if canImport(Glibc)
    import Glibc
#endif

/// Reads the machine's facts from files under a root directory, so tests can point it at fixture files.
struct HostFiles: Sendable {
    /// "/" on a real host; a fixture directory in tests.
    var root: String

    init(root: String = "/") {
        self.root = root
    }

    /// The host path of `path` (absolute, as seen on the machine) under `root`.
    func hostPath(_ path: String) -> String {
        if root == "/" || root.isEmpty { return path }
        let base = root.hasSuffix("/") ? String(root.dropLast()) : root
        return path.hasPrefix("/") ? base + path : base + "/" + path
    }

    /// The whole file as text, or nil when it cannot be read. Reads until EOF because /proc files report size 0.
    func read(_ path: String) -> String? {
        let fd = open(hostPath(path), O_RDONLY | O_CLOEXEC)
        if fd < 0 { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The file's first line without surrounding whitespace, or nil when missing or empty.
    func readLine(_ path: String) -> String? {
        guard let text = read(path) else { return nil }
        let line = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let trimmed = line.trimmingWhitespace()
        return trimmed.isEmpty ? nil : trimmed
    }

    enum Kind { case missing, directory, other }

    /// What `path` (under root) is, following symlinks.
    func kind(_ path: String) -> Kind {
        var info = stat()
        guard stat(hostPath(path), &info) == 0 else { return .missing }
        return (info.st_mode & S_IFMT) == S_IFDIR ? .directory : .other
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs, carriage returns and newlines.
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
