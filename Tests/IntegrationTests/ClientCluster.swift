import CaravanProto
import CaravanRPC
import ClientFS
import Foundation
import GRPCCore
import SwiftProtobuf
import Synchronization
import TestSupport

/// One real serverd and one real clientd on loopback, for tests that run actual tasks. clientd can be killed
/// (`kill -9`) and started again on the same data dir to test re-attachment.
final class ClientCluster: Sendable {
    let servers: ServerCluster
    let clientDataDir: String
    let clientPort: Int
    let clientFlags: [String]
    private let client = Mutex<DaemonProcess?>(nil)

    init(clientFlags: [String] = []) throws {
        servers = try ServerCluster(size: 1, extraFlags: ["-min-heartbeat-ttl", "2s"])
        clientDataDir = servers.root + "/client"
        clientPort = try FreePort.pick()
        self.clientFlags = clientFlags
    }

    var server: HostPort { servers.slots[0].rpcAddress }
    var allocRoot: String { clientDataDir + "/alloc" }

    /// Starts serverd, waits for its leadership, then starts clientd and waits until its node is ready.
    func start() async throws {
        try servers.startAll()
        _ = try await servers.waitForLeader()
        try await startClient()
    }

    func startClient() async throws {
        let process = try DaemonProcess("clientd", clientArguments)
        client.withLock { $0 = process }
        guard await process.waitForLine(containing: "node registered") != nil else {
            throw CaravanError.unavailable("clientd did not register: \(process.log)")
        }
    }

    var clientArguments: [String] {
        [
            "-bind", "127.0.0.1", "-node", "client-0", "-data-dir", clientDataDir, "-port", "\(clientPort)",
            "-servers", server.description, "-ca-file", servers.certs.path("ca.pem"),
            "-cert-file", servers.certs.path("client.pem"), "-key-file", servers.certs.path("client-key.pem"),
            "-executor", BuiltProducts.path("executor"),
        ] + clientFlags
    }

    var clientProcess: DaemonProcess? { client.withLock { $0 } }

    /// `kill -9` of clientd, leaving its tasks and executors running.
    func killClient() async {
        guard let process = client.withLock({ $0 }) else { return }
        _ = await process.stop(signal: SIGKILL)
    }

    /// Kills clientd, every executor and task it left (anything whose root, working dir or command line lies
    /// under the test's directory), unmounts what is mounted there, then kills the servers and removes it all.
    func stopAll() {
        if let process = client.withLock({ $0 }) { Foundation.kill(process.pid, SIGKILL) }
        Leftovers.kill(under: servers.root)
        Leftovers.unmount(under: servers.root)
        servers.killAllNow()
    }

    /// Runs `ctl` with a cli certificate against the server.
    func ctl(_ words: [String], _ arguments: [String] = []) async throws -> CommandResult {
        let connection = [
            "-address", server.description, "-ca-cert", servers.certs.path("ca.pem"),
            "-client-cert", servers.certs.path("cli.pem"), "-client-key", servers.certs.path("cli-key.pem"),
        ]
        return try await runCommand(BuiltProducts.path("ctl"), words + connection + arguments)
    }

    /// Writes `hcl` to a file and registers it with `ctl job run -detach`.
    func run(job name: String, _ hcl: String) async throws {
        let path = servers.root + "/\(name).hcl"
        try hcl.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await ctl(["job", "run"], ["-detach", path])
        guard result.status == 0 else { throw CaravanError.invalidArgument("job run \(name): \(result.stderr)") }
    }

    /// Waits (with blocking queries, up to `timeout`) until the job's allocations satisfy `done`; returns them.
    func waitForAllocations(
        job: String, timeout: Duration = .seconds(60),
        until done: @Sendable ([Caravan_V1_AllocationListStub]) -> Bool
    ) async throws -> [Caravan_V1_AllocationListStub] {
        let deadline = ContinuousClock.now + timeout
        var index: UInt64 = 0
        var last: [Caravan_V1_AllocationListStub] = []
        while ContinuousClock.now < deadline {
            let response = try await servers.dialer.withClient(server) { client in
                try await Caravan_V1_Jobs.Client(wrapping: client).allocations(
                    .with {
                        $0.jobID = job
                        $0.all = true
                        $0.query.minIndex = index
                        $0.query.maxWait = Google_Protobuf_Duration(seconds: 2)
                    })
            }
            last = response.allocations
            if done(last) { return last }
            index = response.meta.index
        }
        throw CaravanError(.deadlineExceeded, "allocations of \(job) never got there: \(last.map(Self.summary))")
    }

    /// One full allocation.
    func allocation(_ id: String) async throws -> Caravan_V1_Allocation {
        try await servers.dialer.withClient(server) { client in
            try await Caravan_V1_Allocations.Client(wrapping: client).get(.with { $0.allocID = id }).allocation
        }
    }

    /// A task's log file content (`alloc/logs/<task>.<stream>.0`) on the client's disk.
    func log(alloc: String, task: String, stream: String = "stdout") -> String {
        (try? String(contentsOfFile: "\(allocRoot)/\(alloc)/alloc/logs/\(task).\(stream).0", encoding: .utf8)) ?? ""
    }

    static func summary(_ alloc: Caravan_V1_AllocationListStub) -> String {
        let events = alloc.taskStates.values.flatMap { $0.events.map { "\($0.type): \($0.displayMessage)" } }
        return "\(alloc.id.prefix(8)) desired=\(alloc.desiredStatus) client=\(alloc.clientStatus) \(events)"
    }
}

extension Caravan_V1_AllocationListStub {
    var isRunning: Bool { clientStatus == .running }
    var isFinished: Bool { clientStatus == .complete || clientStatus == .failed }
    func events(_ task: String) -> [String] { taskStates[task]?.events.map(\.type) ?? [] }
}

/// Cleanup of what a test's clientd started, so a failing test leaves no processes or mounts behind.
enum Leftovers {
    static func kill(under root: String) {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry), pid != getpid() else { continue }
            let links = ["root", "cwd"].compactMap {
                try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/\($0)")
            }
            let command = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
            if links.contains(where: { $0.hasPrefix(root) }) || command.contains(root) { Foundation.kill(pid, SIGKILL) }
        }
    }

    static func unmount(under root: String) {
        MountTable.detachAll(under: root)
    }
}
