import CaravanProto
import CaravanRPC
import Foundation
import TestSupport
import Testing

/// `ctl job run|plan|status|stop`, `eval status`, `alloc status` and `node status|eligibility` against a real
/// server, with the seed talk's mysql job on simulated nodes.
@Suite("ctl job, eval, alloc and node verbs on a real server", .serialized, .timeLimit(.minutes(3)))
struct CtlJobCommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("SpecTests/Fixtures").path

    struct Ctl {
        let cluster: ServerCluster
        let ctl = BuiltProducts.path("ctl")

        /// `words` are the command path (e.g. ["job", "run"]); the connection flags follow them.
        func run(_ words: [String], _ arguments: [String] = []) async throws -> CommandResult {
            let connection = [
                "-address", cluster.slots[0].rpcAddress.description, "-ca-cert", cluster.certs.path("ca.pem"),
                "-client-cert", cluster.certs.path("cli.pem"), "-client-key", cluster.certs.path("cli-key.pem"),
            ]
            return try await runCommand(ctl, words + connection + arguments)
        }
    }

    @Test("the mysql job lands on the one node with a writable mysql volume; a second cannot place and says why")
    func mysqlHostVolume() async throws {
        let cluster = try ServerCluster(size: 1)
        defer { cluster.killAllNow() }
        try cluster.startAll()
        _ = try await cluster.waitForLeader()
        let server = cluster.slots[0].rpcAddress
        let writable = try SimulatedNode(name: "db-node", certs: cluster.certs, volumes: ["mysql": false])
        let readOnly = try SimulatedNode(name: "ro-node", certs: cluster.certs, volumes: ["mysql": true])
        let plain = try SimulatedNode(name: "plain-node", certs: cluster.certs)
        for node in [writable, readOnly, plain] { _ = try await node.register(on: server) }
        let ctl = Ctl(cluster: cluster)
        // Simulated nodes never report allocation health, so this copy turns deployments off (`job run` would
        // otherwise follow one that cannot finish); the talk's job is otherwise unchanged.
        let mysql = "\(cluster.root)/mysql.hcl"
        try String(contentsOfFile: "\(Self.fixtures)/jobs/mysql.hcl", encoding: .utf8)
            .replacingOccurrences(
                of: "    count = 1\n", with: "    count = 1\n\n    update {\n      max_parallel = 0\n    }\n"
            )
            .write(toFile: mysql, atomically: true, encoding: .utf8)
        #expect(try String(contentsOfFile: mysql, encoding: .utf8).contains("max_parallel = 0"))

        let plan = try await ctl.run(["job", "plan"], [mysql])
        #expect(plan.status == 1, "plan of a new job creates allocations: \(plan.stdout) \(plan.stderr)")
        #expect(plan.stdout.contains("1 create"), "\(plan.stdout)")
        #expect(plan.stdout.contains("ctl job run -check-index 0"), "\(plan.stdout)")

        let run = try await ctl.run(["job", "run"], [mysql])
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains("created: node \"\(writable.node.id.prefix(8))\""), "\(run.stdout)")

        // The same volume and static port again: nowhere left to go.
        let second = "\(cluster.root)/mysql-2.hcl"
        let text = try String(contentsOfFile: mysql, encoding: .utf8).replacingOccurrences(
            of: "job \"mysql\"", with: "job \"mysql-2\"")
        try text.write(toFile: second, atomically: true, encoding: .utf8)
        let blocked = try await ctl.run(["job", "run"], [second])
        #expect(blocked.status == 2, "\(blocked.stdout) \(blocked.stderr)")
        #expect(blocked.stdout.contains("1 node excluded by host volume mysql\n"), "\(blocked.stdout)")
        #expect(blocked.stdout.contains("1 node excluded by host volume mysql is read-only"), "\(blocked.stdout)")
        #expect(blocked.stdout.contains("waiting for additional capacity"), "\(blocked.stdout)")

        let status = try await ctl.run(["job", "status"], ["mysql-2"])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("Placement Failure"), "\(status.stdout)")
        #expect(status.stdout.contains("excluded by host volume mysql"), "\(status.stdout)")

        let list = try await ctl.run(["job", "status"])
        #expect(list.stdout.contains("mysql-2") && list.stdout.contains("running"), "\(list.stdout)")

        let nodes = try await ctl.run(["node", "status"])
        #expect(
            nodes.status == 0 && nodes.stdout.contains("ro-node") && nodes.stdout.contains("ready"), "\(nodes.stdout)")
        let allocs = try await cluster.dialer.withClient(server) { client in
            try await Caravan_V1_Jobs.Client(wrapping: client).allocations(.with { $0.jobID = "mysql" })
        }
        let alloc = try #require(allocs.allocations.first)
        let allocStatus = try await ctl.run(["alloc", "status"], [String(alloc.id.prefix(8))])
        #expect(allocStatus.status == 0, "\(allocStatus.stderr)")
        #expect(
            allocStatus.stdout.contains("mysql.mysql[0]") && allocStatus.stdout.contains("3306"),
            "\(allocStatus.stdout)")
        let evalStatus = try await ctl.run(["eval", "status"], [alloc.evalID])
        #expect(evalStatus.status == 0 && evalStatus.stdout.contains("complete"), "\(evalStatus.stdout)")

        // Stopping the first job frees the volume's node: the blocked one places there.
        let stop = try await ctl.run(["job", "stop"], ["mysql"])
        #expect(stop.status == 0, "\(stop.stdout) \(stop.stderr)")
        let placed = try await SchedulingClusterTests.waitForAllocations(cluster, on: 0, job: "mysql-2") {
            $0.count == 1
        }
        #expect(placed.first?.nodeID == writable.node.id)

        // An ineligible node gets nothing new; unknown prefixes are refused.
        let ineligible = try await ctl.run(["node", "eligibility"], ["-disable", String(plain.node.id.prefix(8))])
        #expect(ineligible.status == 0, "\(ineligible.stderr)")
        let node = try await cluster.dialer.withClient(server) { client in
            try await Caravan_V1_Nodes.Client(wrapping: client).get(.with { $0.nodeID = plain.node.id })
        }
        #expect(node.node.schedulingEligibility == .ineligible)
        let unknown = try await ctl.run(["alloc", "status"], ["ffffffff"])
        #expect(unknown.status == 1 && unknown.stderr.contains("no allocation"), "\(unknown.stderr)")
    }

    @Test("an invalid job is refused before anything is sent, with file:line:col")
    func invalidJob() async throws {
        let cluster = try ServerCluster(size: 1)
        defer { cluster.killAllNow() }
        try cluster.startAll()
        _ = try await cluster.waitForLeader()
        let bad = "\(Self.fixtures)/jobs/invalid/bad-duration.hcl"
        let result = try await Ctl(cluster: cluster).run(["job", "run"], [bad])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(bad):12:9"), "\(result.stderr)")
        let jobs = try await cluster.dialer.withClient(cluster.slots[0].rpcAddress) { client in
            try await Caravan_V1_Jobs.Client(wrapping: client).list(.init())
        }
        #expect(jobs.jobs.isEmpty)
    }
}
