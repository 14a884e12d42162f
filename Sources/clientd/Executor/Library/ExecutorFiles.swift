import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The files in a task's state dir through which clientd and the executor talk, and their encoding.
public enum ExecutorFiles {
    public static func launch(_ stateDir: String) -> String { "\(stateDir)/launch.json" }
    public static func exit(_ stateDir: String) -> String { "\(stateDir)/exit.json" }
    /// The executor's own stdout/stderr.
    public static func log(_ stateDir: String) -> String { "\(stateDir)/executor.log" }
    /// What the executor hands its second stage (resolved user, cgroups).
    static func plan(_ stateDir: String) -> String { "\(stateDir)/init.json" }

    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// Decodes a JSON file; nil when it is missing or malformed.
    public static func read<T: Decodable>(_ type: T.Type, from path: String) -> T? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? decoder().decode(type, from: data)
    }

    /// Writes `value` as JSON so a reader never sees half a file: temp file, fsync, rename, fsync of the dir.
    public static func writeAtomically<T: Encodable>(_ value: T, to path: String) throws(SystemError) {
        let data: Data
        do {
            data = try encoder().encode(value)
        } catch {
            throw SystemError("encode \(path)", errno: EINVAL)
        }
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemError("open \(temporary)") }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == data.count, synced == 0 else { throw SystemError("write \(temporary)") }
        guard rename(temporary, path) == 0 else { throw SystemError("rename \(temporary)") }
        let directory = (path as NSString).deletingLastPathComponent
        let dirFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }
}

/// The one line the executor writes on fd 3 to the driver that started it: the task is running, or why not.
public struct ExecutorReport: Codable, Sendable, Equatable {
    public var taskPID: Int32?
    /// Field 22 of the task's /proc stat, to recognise its session later.
    public var taskStartTicks: UInt64?
    public var cgroupPaths: [String]?
    public var error: String?

    public init(
        taskPID: Int32? = nil, taskStartTicks: UInt64? = nil, cgroupPaths: [String]? = nil, error: String? = nil
    ) {
        self.taskPID = taskPID
        self.taskStartTicks = taskStartTicks
        self.cgroupPaths = cgroupPaths
        self.error = error
    }
}

/// Lines the second stage writes to the executor: started, failed to start, or how the task ended.
struct StageMessage: Codable, Equatable {
    var started: Bool?
    var error: String?
    /// The task's PID in the host's PID namespace (exec).
    var taskPID: Int32?
    var exitCode: Int32?
    var signal: Int32?
}

/// Everything the second stage needs beyond the launch: decided by the executor before it is spawned.
struct StagePlan: Codable {
    var launch: TaskLaunch
    var user: ResolvedUser?
    /// `cgroup.procs` files the task joins (exec only).
    var cgroupProcs: [String]
}

/// Writes all of `bytes` to `fd`, retrying on EINTR and short writes.
@discardableResult
func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress?.advanced(by: offset), $0.count - offset) }
        if count < 0 {
            if errno == EINTR { continue }
            return false
        }
        offset += count
    }
    return true
}

/// Writes `value` as one JSON line to `fd`.
@discardableResult
func writeJSONLine<T: Encodable>(_ value: T, to fd: Int32) -> Bool {
    guard let data = try? ExecutorFiles.encoder().encode(value) else { return false }
    return writeAll(fd, Array(data) + [UInt8(ascii: "\n")])
}
