import CaravanProto
import CaravanRPC
import Foundation
import TestSupport
import Testing

/// `ctl job dispatch` against a real serverd and clientd: the child job runs with its payload in local/ and its
/// meta in the environment; a dispatch the parent does not allow is refused with the reason and creates nothing.
@Suite("ctl job dispatch on a real server and client", .serialized, .timeLimit(.minutes(3)))
struct JobDispatchTests {
    static let job = """
        job "greet" {
          datacenters = ["dc1"]
          type        = "batch"
          parameterized {
            payload       = "required"
            meta_required = ["who"]
          }
          group "g" {
            restart {
              attempts = 0
              mode     = "fail"
            }
            reschedule {
              attempts  = 0
              unlimited = false
            }
            task "t" {
              driver = "raw_exec"
              dispatch_payload {
                file = "input.txt"
              }
              config {
                command = "/bin/sh"
                args    = ["-c", "cat ${NOMAD_TASK_DIR}/input.txt; echo \\" ${NOMAD_META_who}\\""]
              }
            }
          }
        }
        """

    /// Every job the server holds, by ID.
    func jobIDs(_ cluster: ClientCluster) async throws -> [String] {
        try await cluster.servers.dialer.withClient(cluster.server) { client in
            try await Caravan_V1_Jobs.Client(wrapping: client).list(.init()).jobs.map(\.id)
        }
    }

    @Test("a dispatched child runs with the payload in local/<file> and the meta as NOMAD_META_*")
    func dispatch() async throws {
        let cluster = try ClientCluster(clientFlags: ["-enable-raw-exec"])
        defer { cluster.stopAll() }
        try await cluster.start()
        try await cluster.run(job: "greet", Self.job)
        let payload = cluster.servers.root + "/payload.txt"
        try "hello from a payload".write(toFile: payload, atomically: true, encoding: .utf8)

        let refused = try await cluster.ctl(["job", "dispatch"], ["greet", payload])
        #expect(refused.status == 1, "\(refused.stdout) \(refused.stderr)")
        #expect(refused.stderr.contains("missing required meta keys: who"), "\(refused.stderr)")
        let badFlag = try await cluster.ctl(["job", "dispatch"], ["-meta", "who", "greet", payload])
        #expect(badFlag.status == 64, "\(badFlag.stdout) \(badFlag.stderr)")
        #expect(try await jobIDs(cluster) == ["greet"], "a refused dispatch created nothing")

        let result = try await cluster.ctl(["job", "dispatch"], ["-meta", "who=caravan", "greet", payload])
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        let line = try #require(
            result.stdout.split(separator: "\n").first { $0.hasPrefix("Dispatched Job ID = ") }, "\(result.stdout)")
        let childID = String(line.dropFirst("Dispatched Job ID = ".count))
        #expect(childID.hasPrefix("greet/dispatch-"), "\(childID)")
        #expect(result.stdout.contains("Evaluation ID     = "), "\(result.stdout)")
        #expect(try await jobIDs(cluster).sorted() == ["greet", childID].sorted())

        let allocs = try await cluster.waitForAllocations(job: childID) { $0.contains(where: \.isFinished) }
        let alloc = try #require(allocs.first)
        #expect(alloc.clientStatus == .complete, "\(ClientCluster.summary(alloc))")
        #expect(cluster.log(alloc: alloc.id, task: "t") == "hello from a payload caravan\n")
        let written = "\(cluster.allocRoot)/\(alloc.id)/t/local/input.txt"
        #expect((try? String(contentsOfFile: written, encoding: .utf8)) == "hello from a payload")
    }
}
