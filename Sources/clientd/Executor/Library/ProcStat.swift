#if canImport(Glibc)
    import Glibc
#endif

/// The fields of `/proc/<pid>/stat` the executor and drivers need to tell a process from a later one that
/// reused its PID.
public struct ProcStat: Sendable, Equatable {
    public var pid: Int32
    /// One-letter state: R, S, D, Z (zombie), ...
    public var state: Character
    public var parentPID: Int32
    public var processGroup: Int32
    public var session: Int32
    /// Field 22: clock ticks after boot when the process started.
    public var startTicks: UInt64

    /// Reads `/proc/<pid>/stat`; nil when there is no such process.
    public static func read(_ pid: Int32, procRoot: String = "/proc") -> ProcStat? {
        guard pid > 0, let text = readSmallFile("\(procRoot)/\(pid)/stat") else { return nil }
        return parse(text)
    }

    /// Parses the text of a stat file; `comm` may contain spaces and parentheses, so fields are counted from
    /// the last `)`.
    public static func parse(_ text: String) -> ProcStat? {
        guard let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"),
            let pid = Int32(text[..<open].trimmingCharacters(in: " "))
        else { return nil }
        let rest = text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // rest[0] is field 3 (state), so field N is rest[N - 3].
        guard rest.count >= 20, let state = rest[0].first, let parent = Int32(rest[1]), let group = Int32(rest[2]),
            let session = Int32(rest[3]), let start = UInt64(rest[19])
        else { return nil }
        return ProcStat(
            pid: pid, state: state, parentPID: parent, processGroup: group, session: session, startTicks: start)
    }

    /// Every process currently listed in /proc.
    public static func all(procRoot: String = "/proc") -> [ProcStat] {
        guard let dir = opendir(procRoot) else { return [] }
        defer { closedir(dir) }
        var result: [ProcStat] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let pid = Int32(name), let stat = read(pid, procRoot: procRoot) else { continue }
            result.append(stat)
        }
        return result
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in character: Character) -> Substring {
        var text = Substring(self)
        while text.first == character { text.removeFirst() }
        while text.last == character { text.removeLast() }
        return text
    }
}

/// Reads a whole (small) file with plain syscalls; nil when it cannot be opened.
public func readSmallFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        guard count > 0 else { break }
        bytes.append(contentsOf: buffer[0..<count])
    }
    return String(decoding: bytes, as: UTF8.self)
}
