import CaravanProto
import CaravanRPC
import ClientFS
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import TestSupport
import Testing

/// `Allocations` file and log calls through a real serverd, forwarded to a ClientFS served in this process with a
/// client certificate (standing in for clientd), and `ctl alloc fs|logs` as real processes against it.
@Suite("alloc fs and logs forwarded by serverd to the node's ClientFS", .serialized, .timeLimit(.minutes(3)))
struct AllocFilesForwardingTests {
    /// A one-server cluster with a job placed on a simulated node whose `rpc_addr` is `address`.
    struct Placed {
        let cluster: ServerCluster
        let node: SimulatedNode
        let allocID: String

        var server: HostPort { cluster.slots[0].rpcAddress }

        func register(rpcAddr: String) async throws {
            var node = self.node.node
            node.rpcAddr = rpcAddr
            _ = try await self.node.withNodes(server) { try await $0.register(.with { $0.node = node }) }
        }

        func withAllocations<Result: Sendable>(
            _ body: (Caravan_V1_Allocations.Client<HTTP2ClientTransport.Posix>) async throws -> Result
        ) async throws -> Result {
            try await cluster.dialer.withClient(server) { try await body(Caravan_V1_Allocations.Client(wrapping: $0)) }
        }

        func ctl(_ arguments: [String]) async throws -> CommandResult {
            let connection = [
                "-address", server.description, "-ca-cert", cluster.certs.path("ca.pem"),
                "-client-cert", cluster.certs.path("cli.pem"), "-client-key", cluster.certs.path("cli-key.pem"),
            ]
            return try await runCommand(
                BuiltProducts.path("ctl"),
                Array(arguments.prefix(2)) + connection
                    + arguments.dropFirst(2))
        }
    }

    static func place(_ cluster: ServerCluster, rpcAddr: String) async throws -> Placed {
        let node = try SimulatedNode(name: "files-node", certs: cluster.certs)
        var registered = node.node
        registered.rpcAddr = rpcAddr
        let server = cluster.slots[0].rpcAddress
        _ = try await node.withNodes(server) { try await $0.register(.with { $0.node = registered }) }
        _ = try await SchedulingClusterTests.withJobs(cluster, 0) {
            try await $0.register(.with { $0.job = SchedulingClusterTests.job("files", count: 1) })
        }
        let placed = try await SchedulingClusterTests.waitForAllocations(cluster, on: 0, job: "files") {
            $0.count == 1
        }
        let alloc = try #require(placed.first)
        #expect(alloc.nodeID == node.node.id)
        return Placed(cluster: cluster, node: node, allocID: alloc.id)
    }

    static func text(_ response: StreamingClientResponse<Caravan_V1_FileChunk>) async throws -> String {
        var text = ""
        for try await chunk in response.messages { text += String(decoding: chunk.data, as: UTF8.self) }
        return text
    }

    static func failure(_ body: () async throws -> Void) async -> CaravanError? {
        do {
            try await body()
            return nil
        } catch let error as CaravanError {
            return error
        } catch {
            return CaravanError(RPCErrorText.code(of: error), RPCErrorText.describe(error))
        }
    }

    @Test(
        "list, stat, cat and logs reach the node through serverd; the node's refusals and follow streams pass through")
    func forwarding() async throws {
        let cluster = try ServerCluster(size: 1)
        defer { cluster.killAllNow() }
        try cluster.startAll()
        _ = try await cluster.waitForLeader()
        let root = try TemporaryDirectory.make(prefix: "caravan-node-allocs")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let service = ClientFSService(allocRoot: root, settings: .init(pollInterval: .milliseconds(20)))
        try await withRunningServer(tls: try cluster.certs.material("client"), services: [service]) { _, address in
            let placed = try await Self.place(cluster, rpcAddr: address.description)
            let heartbeats = Task { await placed.node.heartbeatForever(servers: [placed.server]) }
            defer { heartbeats.cancel() }
            let alloc = AllocDir(root: root, allocID: placed.allocID)
            try alloc.build(tasks: ["server"])
            defer { try? alloc.destroy() }
            try Data("hello from the node\n".utf8).write(to: URL(fileURLWithPath: alloc.sharedDataDir + "/hello.txt"))
            try Data("line1\nline2\n".utf8).write(to: URL(fileURLWithPath: alloc.logsDir + "/server.stdout.0"))
            try Data("line3\n".utf8).write(to: URL(fileURLWithPath: alloc.logsDir + "/server.stdout.1"))
            let prefix = String(placed.allocID.prefix(8))

            try await placed.withAllocations { allocations in
                let listing = try await allocations.listFiles(.with { $0.allocID = prefix })
                #expect(listing.files.map(\.name) == ["alloc", "server"])
                let stat = try await allocations.statFile(
                    .with {
                        $0.allocID = prefix
                        $0.path = "alloc/data/hello.txt"
                    })
                #expect(stat.info.size == 20 && stat.info.contentType == "text/plain; charset=utf-8")
                let cat = try await allocations.catFile(
                    .with {
                        $0.allocID = prefix
                        $0.path = "/alloc/data/hello.txt"
                    }
                ) { try await Self.text($0) }
                #expect(cat == "hello from the node\n")
                let logs = try await allocations.logs(
                    .with {
                        $0.allocID = prefix
                        $0.task = "server"
                    }
                ) { try await Self.text($0) }
                #expect(logs == "line1\nline2\nline3\n")

                let secret = await Self.failure {
                    try await allocations.catFile(
                        .with {
                            $0.allocID = prefix
                            $0.path = "server/secrets/token"
                        }
                    ) { _ = try await Self.text($0) }
                }
                #expect(secret?.code == .permissionDenied, "\(String(describing: secret))")
                #expect(secret?.message.contains("secrets directory") == true, "\(String(describing: secret))")
                let escape = await Self.failure {
                    _ = try await allocations.listFiles(
                        .with {
                            $0.allocID = prefix
                            $0.path = "../../etc"
                        })
                }
                #expect(escape?.code == .invalidArgument, "\(String(describing: escape))")
                let unknown = await Self.failure {
                    _ = try await allocations.listFiles(.with { $0.allocID = "ffffffff" })
                }
                #expect(unknown?.code == .notFound)
                #expect(
                    unknown?.message.contains("allocation ffffffff not found") == true, "\(String(describing: unknown))"
                )

                // A followed log through serverd: after what is there, what the task writes next arrives, from the
                // next rotated file.
                try await allocations.logs(
                    .with {
                        $0.allocID = prefix
                        $0.task = "server"
                        $0.follow = true
                        $0.origin = .end
                        $0.offset = 6
                    }
                ) { response in
                    var frames = response.messages.makeAsyncIterator()
                    let existing = try #require(try await frames.next())
                    #expect(String(decoding: existing.data, as: UTF8.self) == "line3\n")
                    try Data("line4\n".utf8).write(to: URL(fileURLWithPath: alloc.logsDir + "/server.stdout.2"))
                    var frame = try #require(try await frames.next())
                    while frame.data.isEmpty { frame = try #require(try await frames.next()) }
                    #expect(String(decoding: frame.data, as: UTF8.self) == "line4\n")
                    #expect(frame.file == "alloc/logs/server.stdout.2")
                }
            }

            // ctl as a real process, with an ID prefix and the group's only task implied.
            let table = try await placed.ctl(["alloc", "fs", prefix])
            #expect(table.status == 0, "\(table.stderr)")
            #expect(table.stdout.contains("Modified Time") && table.stdout.contains("alloc/"), "\(table.stdout)")
            #expect(table.stdout.contains("server/"), "\(table.stdout)")
            let file = try await placed.ctl(["alloc", "fs", prefix, "alloc/data/hello.txt"])
            #expect(file.status == 0 && file.stdout == "hello from the node\n", "\(file.stdout) \(file.stderr)")
            let stat = try await placed.ctl(["alloc", "fs", "-stat", prefix, "alloc/data/hello.txt"])
            #expect(
                stat.status == 0 && stat.stdout.contains("hello.txt") && stat.stdout.contains("20 B"), "\(stat.stdout)")
            let logs = try await placed.ctl(["alloc", "logs", prefix])
            #expect(logs.status == 0 && logs.stdout == "line1\nline2\nline3\nline4\n", "\(logs.stdout) \(logs.stderr)")
            let tail = try await placed.ctl(["alloc", "logs", "-tail", "-n", "2", prefix, "server"])
            #expect(tail.status == 0 && tail.stdout == "line3\nline4\n", "\(tail.stdout) \(tail.stderr)")
            let bytes = try await placed.ctl(["alloc", "logs", "-c", "3", prefix])
            #expect(bytes.stdout == "e4\n", "\(bytes.stdout) \(bytes.stderr)")
            let noTask = try await placed.ctl(["alloc", "logs", prefix, "worker"])
            #expect(noTask.status == 1 && noTask.stderr.contains("no task \"worker\""), "\(noTask.stderr)")
            let refused = try await placed.ctl(["alloc", "fs", prefix, "server/secrets"])
            #expect(refused.status == 1 && refused.stderr.contains("secrets directory"), "\(refused.stderr)")
            let badFlags = try await placed.ctl(["alloc", "logs", "-n", "2", "-c", "5", prefix])
            #expect(badFlags.status == 64, "\(badFlags.stderr)")

            // A node presenting a certificate of another role is refused by serverd's dialer.
            try await withRunningServer(tls: try cluster.certs.material("mesh"), services: [service]) { _, impostor in
                try await placed.register(rpcAddr: impostor.description)
                let refusal = await Self.failure {
                    _ = try await placed.withAllocations { try await $0.listFiles(.with { $0.allocID = prefix }) }
                }
                #expect(refusal?.code == .unavailable, "\(String(describing: refusal))")
                #expect(
                    refusal?.message.contains("not client.global.caravan") == true, "\(String(describing: refusal))")
            }
            // No address at all: UNAVAILABLE naming the node.
            try await placed.register(rpcAddr: "")
            let noAddress = await Self.failure {
                _ = try await placed.withAllocations { try await $0.listFiles(.with { $0.allocID = prefix }) }
            }
            #expect(noAddress?.code == .unavailable)
            #expect(noAddress?.message.contains("files-node") == true, "\(String(describing: noAddress))")
        }
    }
}
