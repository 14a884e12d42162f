import ClientFS
import Foundation
import Synchronization

/// The daemons one benchmark run started and the temporary directory holding their data and logs.
///
/// `stop()` ends them (SIGTERM, then SIGKILL after a grace period) and removes the directory; the run calls it on
/// every way out, including Ctrl-C and `kill` (see `interrupts()`), so no daemon outlives the benchmark.
final class LocalDaemons: Sendable {
    /// One started daemon; its stdout and stderr go to `logPath`.
    struct Daemon: Sendable {
        let name: String
        let process: Process
        let logPath: String
    }

    let directory: String
    let keep: Bool
    private let state = Mutex(State())

    private struct State {
        var daemons: [Daemon] = []
        var stopped = false
        var alsoRemove: [String] = []
        var interrupted = false
        var signalSources: [any DispatchSourceSignal] = []
    }

    /// Creates a fresh temporary directory; with `keep`, `stop()` leaves it (and the logs) in place.
    init(prefix: String, keep: Bool) throws {
        directory = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString.prefix(8))"
        self.keep = keep
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// Starts `executable` with its output in `<directory>/<name>.log`.
    func start(name: String, executable: String, arguments: [String]) throws -> Daemon {
        let logPath = "\(directory)/\(name).log"
        guard FileManager.default.createFile(atPath: logPath, contents: nil),
            let log = FileHandle(forWritingAtPath: logPath)
        else { throw BenchError("cannot create \(logPath)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try? log.close()
        let daemon = Daemon(name: name, process: process, logPath: logPath)
        state.withLock { $0.daemons.append(daemon) }
        return daemon
    }

    /// Removes `path` too when stopping, kept or not: the certificates, which an interrupt would otherwise leave.
    func removeOnStop(_ path: String) {
        state.withLock { $0.alsoRemove.append(path) }
    }

    /// Daemons that exited, each as "name: exited with status N" and the end of its log.
    func exited() -> [String] {
        state.withLock { $0.daemons }.filter { !$0.process.isRunning }.map { daemon in
            "\(daemon.name) exited with status \(daemon.process.terminationStatus); last lines of \(daemon.logPath):\n"
                + Self.tail(of: daemon.logPath, lines: 15)
        }
    }

    /// Log lines of every daemon that contain any of `markers`, prefixed with the daemon's name.
    func logLines(containing markers: [String]) -> [String] {
        state.withLock { $0.daemons }.flatMap { daemon in
            Self.lines(of: daemon.logPath).filter { line in markers.contains { line.contains($0) } }
                .map { "\(daemon.name): \($0)" }
        }
    }

    /// Stops every daemon and removes the directory (unless kept); returns a note for each unclean exit.
    @discardableResult
    func stop() -> [String] {
        let (daemons, alsoRemove) = state.withLock { state -> ([Daemon], [String]) in
            guard !state.stopped else { return ([], []) }
            state.stopped = true
            return (state.daemons, state.alsoRemove)
        }
        var notes: [String] = []
        let alreadyExited = Set(daemons.filter { !$0.process.isRunning }.map(\.name))
        for daemon in daemons where daemon.process.isRunning { kill(daemon.process.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(10)
        while daemons.contains(where: { $0.process.isRunning }), Date() < deadline { usleep(50_000) }
        for daemon in daemons where daemon.process.isRunning {
            notes.append("\(daemon.name) did not exit within 10 s of SIGTERM; killed")
            kill(daemon.process.processIdentifier, SIGKILL)
        }
        for daemon in daemons {
            daemon.process.waitUntilExit()
            let status = daemon.process.terminationStatus
            let reason = daemon.process.terminationReason
            if alreadyExited.contains(daemon.name) {
                notes.append("\(daemon.name) had exited during the run with status \(status)")
            } else if reason == .uncaughtSignal, status != SIGTERM, status != SIGKILL {
                notes.append("\(daemon.name) was ended by signal \(status) on SIGTERM")
            } else if reason == .exit, status != 0 {
                notes.append("\(daemon.name) exited with status \(status) on SIGTERM")
            }
        }
        // A clientd's allocations leave their secrets tmpfs mounted (tasks may outlive clientd by design).
        MountTable.detachAll(under: directory)
        if !keep { try? FileManager.default.removeItem(atPath: directory) }
        for path in alsoRemove { try? FileManager.default.removeItem(atPath: path) }
        return notes
    }

    /// SIGINT and SIGTERM sent to the benchmark, for the run to stop and clean up in order. A second signal
    /// does not wait for that: it stops the daemons at once and exits with 128 + signal.
    func interrupts() -> AsyncStream<Int32> {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        state.withLock { state in
            for signalNumber in [SIGINT, SIGTERM] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                source.setEventHandler { [self] in
                    let again = self.state.withLock { state in
                        defer { state.interrupted = true }
                        return state.interrupted
                    }
                    guard again else {
                        continuation.yield(signalNumber)
                        return
                    }
                    stop()
                    exit(128 + signalNumber)
                }
                source.resume()
                state.signalSources.append(source)
            }
        }
        return stream
    }

    static func tail(of path: String, lines count: Int) -> String {
        lines(of: path).suffix(count).joined(separator: "\n")
    }

    static func lines(of path: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
