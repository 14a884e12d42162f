import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SwiftProtobuf
import Synchronization
import TestSupport

/// One real serverd and several real clientd (raw_exec enabled) on loopback, named client-0, client-1, ...:
/// for tests that move allocations between nodes.
final class MultiClientCluster: Sendable {
    let servers: ServerCluster
    let count: Int
    private let clients = Mutex<[DaemonProcess]>([])

    init(clients count: Int) throws {
        servers = try ServerCluster(size: 1, extraFlags: ["-min-heartbeat-ttl", "2s"])
        self.count = count
    }

    var server: HostPort { servers.slots[0].rpcAddress }

    /// Starts serverd, waits for its leadership, then starts each clientd and waits until it registered.
    func start() async throws {
        try servers.startAll()
        _ = try await servers.waitForLeader()
        for index in 0..<count {
            let dataDir = servers.root + "/client-\(index)"
            let process = try DaemonProcess(
                "clientd",
                [
                    "-bind", "127.0.0.1", "-node", "client-\(index)", "-data-dir", dataDir,
                    "-port", "\(try FreePort.pick())", "-servers", server.description,
                    "-ca-file", servers.certs.path("ca.pem"), "-cert-file", servers.certs.path("client.pem"),
                    "-key-file", servers.certs.path("client-key.pem"), "-executor", BuiltProducts.path("executor"),
                    "-enable-raw-exec",
                ])
            clients.withLock { $0.append(process) }
            guard await process.waitForLine(containing: "node registered") != nil else {
                throw CaravanError.unavailable("clientd \(index) did not register: \(process.log)")
            }
        }
    }

    /// Kills every clientd and what its tasks left, then the servers, and removes the directory.
    func stopAll() {
        for process in clients.withLock({ $0 }) { Foundation.kill(process.pid, SIGKILL) }
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

    /// Registers `hcl` with `ctl job run -detach`.
    func run(job name: String, _ hcl: String) async throws {
        let path = servers.root + "/\(name).hcl"
        try hcl.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await ctl(["job", "run"], ["-detach", path])
        guard result.status == 0 else { throw CaravanError.invalidArgument("job run \(name): \(result.stderr)") }
    }

    func withNodes<Result: Sendable>(
        _ body: @Sendable (Caravan_V1_Nodes.Client<HTTP2ClientTransport.Posix>) async throws -> Result
    ) async throws -> Result {
        try await servers.dialer.withClient(server) { try await body(Caravan_V1_Nodes.Client(wrapping: $0)) }
    }

    /// The id of the node registered as `name`.
    func nodeID(_ name: String) async throws -> String {
        let nodes = try await withNodes { try await $0.list(.init()).nodes }
        guard let node = nodes.first(where: { $0.name == name }) else {
            throw CaravanError.notFound("no node \(name) among \(nodes.map(\.name))")
        }
        return node.id
    }

    func node(_ id: String) async throws -> Caravan_V1_Node {
        try await withNodes { try await $0.get(.with { $0.nodeID = id }).node }
    }

    /// Every allocation of the job, each in full (with its desired transition and deployment health), once
    /// `done` holds for them; follows the state with blocking queries for up to `timeout`.
    func waitForAllocations(
        job: String, timeout: Duration = .seconds(60), until done: @Sendable ([Caravan_V1_Allocation]) -> Bool
    ) async throws -> [Caravan_V1_Allocation] {
        let deadline = ContinuousClock.now + timeout
        var index: UInt64 = 0
        var last: [Caravan_V1_Allocation] = []
        while ContinuousClock.now < deadline {
            let (allocations, next) = try await servers.dialer.withClient(server) { client in
                let listed = try await Caravan_V1_Jobs.Client(wrapping: client).allocations(
                    .with {
                        $0.jobID = job
                        $0.all = true
                        $0.query.minIndex = index
                        $0.query.maxWait = Google_Protobuf_Duration(seconds: 1)
                    })
                var full: [Caravan_V1_Allocation] = []
                for stub in listed.allocations {
                    full.append(
                        try await Caravan_V1_Allocations.Client(wrapping: client).get(.with { $0.allocID = stub.id })
                            .allocation)
                }
                return (full, listed.meta.index)
            }
            last = allocations
            if done(last) { return last }
            index = next
        }
        throw CaravanError(.deadlineExceeded, "allocations of \(job) never got there: \(last.map(Self.summary))")
    }

    static func summary(_ alloc: Caravan_V1_Allocation) -> String {
        "\(alloc.id.prefix(8)) node=\(alloc.nodeID.prefix(8)) desired=\(alloc.desiredStatus) "
            + "client=\(alloc.clientStatus) migrate=\(alloc.desiredTransition.migrate) "
            + "healthy=\(alloc.deploymentStatus.hasHealthy ? "\(alloc.deploymentStatus.healthy)" : "-")"
    }
}
