import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a short-lived command to completion on the calling thread: `posix_spawn`, stdout and stderr collected
/// through close-on-exec pipes, and a blocking `waitpid` for exactly that child.
///
/// Why not `Foundation.Process`: under many concurrent spawns its shared SIGCHLD machinery was seen to leave a
/// finished child unreaped, so `waitUntilExit` never returned (clientd's firewall setup hung holding its lock).
/// Nothing here is shared between calls, so one command cannot stall another.
public enum CommandRun {
    public struct Output: Sendable {
        /// The exit status, or 128 + the signal that killed it.
        public var status: Int32
        public var stdout: [UInt8]
        public var stderr: [UInt8]
    }

    /// Blocks until `path` exits. `input` is written to its stdin (otherwise stdin is /dev/null).
    public static func run(
        _ path: String, _ arguments: [String], environment: [String: String], input: [UInt8]? = nil,
        directory: String? = nil
    ) throws(SystemError) -> Output {
        ignoreBrokenPipes
        let out = try LinuxCalls.pipe()
        let err: (read: Int32, write: Int32)
        do { err = try LinuxCalls.pipe() } catch {
            closeAll([out.read, out.write])
            throw error
        }
        var stdinPipe: (read: Int32, write: Int32)?
        if input != nil {
            do { stdinPipe = try LinuxCalls.pipe() } catch {
                closeAll([out.read, out.write, err.read, err.write])
                throw error
            }
        }
        let stdinSource =
            stdinPipe.map { Spawn.Source.descriptor($0.read) } ?? .file(path: "/dev/null", flags: O_RDONLY)
        let pid: pid_t
        do {
            pid = try Spawn.spawn(
                path, arguments: [path] + arguments, environment: environment.map { "\($0.key)=\($0.value)" },
                descriptors: [(0, stdinSource), (1, .descriptor(out.write)), (2, .descriptor(err.write))],
                newSession: false, directory: directory)
        } catch {
            closeAll(
                [out.read, out.write, err.read, err.write] + [stdinPipe?.read, stdinPipe?.write].compactMap { $0 })
            throw error
        }
        closeAll([out.write, err.write] + [stdinPipe?.read].compactMap { $0 })
        if let stdinPipe, let input {
            // Its own thread, so a child that prints a lot before reading cannot deadlock against us.
            Thread {
                writeAll(stdinPipe.write, input)
                close(stdinPipe.write)
            }.start()
        }
        let errorBytes = LockedBytes()
        let drained = DispatchSemaphore(value: 0)
        Thread {
            errorBytes.set(readAll(err.read))
            close(err.read)
            drained.signal()
        }.start()
        let outputBytes = readAll(out.read)
        close(out.read)
        drained.wait()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw SystemError("waitpid \(pid)") }
        }
        let signal = status & 0x7f
        let code = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        return Output(status: code, stdout: outputBytes, stderr: errorBytes.get())
    }

    /// A child that exits before reading its input must not kill this process with SIGPIPE.
    private static let ignoreBrokenPipes: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    private static func readAll(_ fd: Int32) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return result }
            result += buffer[0..<count]
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }

    private static func closeAll(_ fds: [Int32]) {
        for fd in fds { close(fd) }
    }
}

/// Bytes handed from a reader thread to the caller.
private final class LockedBytes: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    func set(_ value: [UInt8]) { lock.withLock { bytes = value } }
    func get() -> [UInt8] { lock.withLock { bytes } }
}
