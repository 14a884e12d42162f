import Foundation
import Synchronization
import TaskExecutor

/// Locates the built executables (serverd, ctl, ...) next to the test bundle, or in `CARAVAN_BIN_DIR`.
public enum BuiltProducts {
    public static var directory: URL {
        if let dir = ProcessInfo.processInfo.environment["CARAVAN_BIN_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    public static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
}

/// The outcome of a command that ran to completion.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs a command to completion without blocking Swift's cooperative threads (a thread of its own waits, through
/// `CommandRun`: posix_spawn and waitpid, not Foundation.Process, whose waits were seen to hang under load).
public func runCommand(
    _ executable: String,
    _ arguments: [String],
    directory: String? = nil,
    environment: [String: String] = [:]
) async throws -> CommandResult {
    var env = ProcessInfo.processInfo.environment
    for key in env.keys where key.hasPrefix("CARAVAN_") && key != "CARAVAN_BIN_DIR" { env[key] = nil }
    env.merge(environment) { _, new in new }
    let childEnvironment = env
    let result: Result<CommandRun.Output, SystemError> = await withCheckedContinuation { continuation in
        Thread {
            continuation.resume(
                returning: Result { () throws(SystemError) in
                    try CommandRun.run(executable, arguments, environment: childEnvironment, directory: directory)
                })
        }.start()
    }
    let output = try result.get()
    return CommandResult(
        status: output.status, stdout: String(decoding: output.stdout, as: UTF8.self),
        stderr: String(decoding: output.stderr, as: UTF8.self))
}

/// A daemon started for a test: its stderr is collected line by line so a test can await a log line.
public final class DaemonProcess: Sendable {
    public let name: String
    private let process: Process
    private let output = Mutex<String>("")
    private let waiters = Mutex<[(String, CheckedContinuation<String?, Never>)]>([])
    private let exited = AsyncSignal()
    private let outputEnded = Mutex(false)

    public init(_ executable: String, _ arguments: [String]) throws {
        name = executable
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltProducts.path(executable))
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardError = pipe
        self.process = process
        process.terminationHandler = { [exited] _ in exited.fire() }
        try process.run()
        // A thread of its own reads stderr with plain blocking reads until EOF. Not `readabilityHandler`: its
        // Dispatch read source stays registered in libdispatch's epoll after the pipe closes while a concurrently
        // spawned child still holds an inherited copy of the fd, and a reused fd number then crashed the test
        // process in _dispatch_event_loop_drain (SIGSEGV), now and then, under load.
        let reader = pipe.fileHandleForReading
        Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(reader.fileDescriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                self.output.withLock { $0 += String(decoding: buffer[0..<count], as: UTF8.self) }
                self.resolveWaiters(final: false)
            }
            self.outputEnded.withLock { $0 = true }
            self.resolveWaiters(final: true)
        }.start()
    }

    /// Everything the daemon logged so far.
    public var log: String { output.withLock { $0 } }

    public var pid: Int32 { process.processIdentifier }

    /// Waits for the first log line containing `text`; nil if the daemon's output ended first.
    public func waitForLine(containing text: String) async -> String? {
        await withCheckedContinuation { continuation in
            if let line = Self.line(in: log, containing: text) {
                continuation.resume(returning: line)
                return
            }
            waiters.withLock { $0.append((text, continuation)) }
            // The output may have ended (or the line arrived) between the check above and the append.
            resolveWaiters(final: outputEnded.withLock { $0 })
        }
    }

    /// Waits for the "listening" line and returns the bound port.
    public func listeningPort() async throws -> Int {
        // Text logs say `address=127.0.0.1:4647`, JSON logs `"address":"127.0.0.1:4647"`.
        guard let line = await waitForLine(containing: "listening"),
            let range = line.range(of: "address=") ?? line.range(of: "\"address\":\""),
            let port = Int(
                line[range.upperBound...].prefix { $0 != " " && $0 != "\"" }.split(separator: ":").last ?? "")
        else {
            throw DaemonProcessError.didNotListen(name: name, log: log)
        }
        return port
    }

    /// Sends a signal and waits for the process to exit; returns its exit status.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM) async -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        await exited.wait()
        return process.terminationStatus
    }

    /// Waits for the process to exit on its own.
    public func waitForExit() async -> Int32 {
        await exited.wait()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    private func resolveWaiters(final: Bool) {
        let text = log
        let ready = waiters.withLock { waiters -> [(CheckedContinuation<String?, Never>, String?)] in
            var ready: [(CheckedContinuation<String?, Never>, String?)] = []
            waiters.removeAll { needle, continuation in
                if let line = Self.line(in: text, containing: needle) {
                    ready.append((continuation, line))
                    return true
                }
                if final {
                    ready.append((continuation, nil))
                    return true
                }
                return false
            }
            return ready
        }
        for (continuation, line) in ready { continuation.resume(returning: line) }
    }

    private static func line(in text: String, containing needle: String) -> String? {
        text.split(separator: "\n").first { $0.contains(needle) }.map(String.init)
    }
}

public enum DaemonProcessError: Error, CustomStringConvertible {
    case didNotListen(name: String, log: String)

    public var description: String {
        switch self {
        case .didNotListen(let name, let log): "\(name) never logged 'listening'; its log:\n\(log)"
        }
    }
}

/// The value of `Key = value` in `ctl`'s record output, whatever the alignment.
public func recordField(_ key: String, in output: String) -> String? {
    for line in output.split(separator: "\n") {
        let parts = line.split(separator: "=", maxSplits: 1)
        if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == key {
            return parts[1].trimmingCharacters(in: .whitespaces)
        }
    }
    return nil
}
