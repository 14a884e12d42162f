import Foundation
import TaskExecutor

/// Runs the host's networking tools (`ip`, `iptables`, `iptables-restore`) as child processes, off Swift's
/// cooperative threads. Caravan drives the kernel through the same tools an operator would use to inspect what it
/// did, and every failure carries the tool's own words.
public struct HostCommand: Sendable {
    /// Directories searched for the tools, in order.
    public var searchPath: [String]

    public init(searchPath: [String] = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]) {
        self.searchPath = searchPath
    }

    /// The outcome of one run.
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        public var succeeded: Bool { status == 0 }
    }

    /// The full path of `tool`, or nil when it is not installed.
    public func locate(_ tool: String) -> String? {
        searchPath.map { $0 + "/" + tool }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `tool arguments...` (feeding `input` on stdin) and returns what it printed, whatever its status.
    public func output(_ tool: String, _ arguments: [String], input: String? = nil) async throws(NetworkError)
        -> Output
    {
        guard let path = locate(tool) else {
            throw NetworkError("\(tool) is not installed (looked in \(searchPath.joined(separator: ":")))")
        }
        // Dedicated threads, not Dispatch's shared pool: a few setups in parallel would otherwise fill the pool with
        // threads blocked on their children, and the reads those children wait for would queue behind them.
        let result: Result<Output, NetworkError> = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: Self.runBlocking(path, arguments, input: input)) }.start()
        }
        return try result.get()
    }

    /// Runs `tool arguments...` and fails with its stderr unless it exits 0. A busy firewall (another program
    /// holding the xtables lock, or an nftables transaction in flight) is retried a few times before failing.
    @discardableResult
    public func run(_ tool: String, _ arguments: [String], input: String? = nil) async throws(NetworkError) -> String {
        var attempt = 0
        while true {
            let result = try await output(tool, arguments, input: input)
            if result.succeeded { return result.stdout }
            attempt += 1
            if attempt < 6, Self.isTransient(result) {
                try? await Task.sleep(for: .milliseconds(50 * attempt))
                continue
            }
            throw NetworkError(Self.failure(tool, arguments, result))
        }
    }

    static func isTransient(_ result: Output) -> Bool {
        let text = result.stderr.lowercased()
        return result.status == 4 || text.contains("temporarily unavailable") || text.contains("xtables lock")
    }

    static func failure(_ tool: String, _ arguments: [String], _ result: Output) -> String {
        let said = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        return "\(tool) \(arguments.joined(separator: " ")) exited \(result.status)"
            + (said.isEmpty ? "" : ": \(said)")
    }

    private static func runBlocking(_ path: String, _ arguments: [String], input: String?) -> Result<
        Output, NetworkError
    > {
        // A predictable C locale keeps the tools' messages the ones this module matches on.
        var environment = ProcessInfo.processInfo.environment
        environment["LC_ALL"] = "C"
        do {
            let result = try CommandRun.run(
                path, arguments, environment: environment, input: input.map { Array($0.utf8) })
            return .success(
                Output(
                    status: result.status, stdout: String(decoding: result.stdout, as: UTF8.self),
                    stderr: String(decoding: result.stderr, as: UTF8.self)))
        } catch {
            return .failure(NetworkError("cannot run \(path): \(error)"))
        }
    }
}
