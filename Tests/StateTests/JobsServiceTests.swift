import CaravanProto
import CaravanRPC
import CaravanServer
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import State
import TestSupport
import Testing

/// `caravan.v1.Jobs` and `caravan.v1.Evaluations` over mutual TLS on the single-process replicated state:
/// validation, registration with its evaluation, blocking queries.
@Suite("Jobs service over mTLS", .timeLimit(.minutes(2)))
struct JobsServiceTests {
    typealias Jobs = Caravan_V1_Jobs.Client<HTTP2ClientTransport.Posix>
    typealias Evaluations = Caravan_V1_Evaluations.Client<HTTP2ClientTransport.Posix>

    func withServices(_ body: (Jobs, Evaluations) async throws -> Void) async throws {
        let fixture = try CertificateFixture()
        let hub = StateChangeHub()
        let queries = ClusterQueries(state: LocalReplicatedState(observer: { hub.publish($0) }), hub: hub)
        let services: [any RegistrableRPCService] = [
            JobsService(queries: queries), EvaluationsService(queries: queries),
        ]
        try await withRunningServer(tls: try fixture.material("server"), services: services) { _, address in
            let dialer = RPCDialer(tls: try fixture.material("cli"), callTimeout: .seconds(20))
            try await dialer.withClient(address) { client in
                try await body(Jobs(wrapping: client), Evaluations(wrapping: client))
            }
        }
    }

    static func job(_ id: String) -> Caravan_V1_Job {
        var job = Caravan_V1_Job()
        job.id = id
        job.type = .service
        job.datacenters = ["dc1"]
        var group = Caravan_V1_TaskGroup()
        group.name = "web"
        group.count = 2
        var task = Caravan_V1_Task()
        task.name = "server"
        task.driver = "raw_exec"
        task.config = .init(fields: ["command": .init(stringValue: "/bin/true")])
        group.tasks = [task]
        job.taskGroups = [group]
        return job
    }

    @Test("a registered job gets defaults, version 0 and a pending evaluation that names it")
    func register() async throws {
        try await withServices { jobs, evaluations in
            let response = try await jobs.register(.with { $0.job = Self.job("api") })
            #expect(response.jobModifyIndex == response.meta.index)
            let stored = try await jobs.get(.with { $0.jobID = "api" }).job
            #expect(stored.namespace == "default" && stored.priority == 50 && stored.version == 0)
            #expect(stored.status == .pending)
            let eval = try await evaluations.get(.with { $0.evalID = String(response.evalID.prefix(8)) }).evaluation
            #expect(eval.id == response.evalID && eval.jobID == "api" && eval.status == .pending)
            #expect(eval.triggeredBy == "job-register" && eval.type == "service")
        }
    }

    @Test("an invalid job is refused with every problem listed, and nothing is stored")
    func invalid() async throws {
        try await withServices { jobs, _ in
            var job = Self.job("bad job")
            job.priority = 500
            job.taskGroups[0].tasks[0].driver = ""
            do {
                _ = try await jobs.register(.with { $0.job = job })
                Issue.record("an invalid job was accepted")
            } catch let error as RPCError {
                #expect(error.code == .invalidArgument)
                #expect(error.message.contains("priority"), "\(error.message)")
                #expect(error.message.contains("must not contain spaces"), "\(error.message)")
                #expect(error.message.contains("driver"), "\(error.message)")
            }
            #expect(try await jobs.list(.init()).jobs.isEmpty)
        }
    }

    @Test("a stale check index is refused; stopping an unknown job is NOT_FOUND")
    func preconditions() async throws {
        try await withServices { jobs, _ in
            let first = try await jobs.register(.with { $0.job = Self.job("api") })
            var changed = Self.job("api")
            changed.meta = ["v": "2"]
            await #expect(throws: RPCError.self) {
                _ = try await jobs.register(
                    .with {
                        $0.job = changed
                        $0.enforceIndex = true
                        $0.jobModifyIndex = first.jobModifyIndex + 7
                    })
            }
            let accepted = try await jobs.register(
                .with {
                    $0.job = changed
                    $0.enforceIndex = true
                    $0.jobModifyIndex = first.jobModifyIndex
                })
            #expect(accepted.jobModifyIndex > first.jobModifyIndex)
            #expect(try await jobs.versions(.with { $0.jobID = "api" }).versions.map(\.version) == [1, 0])
            do {
                _ = try await jobs.deregister(.with { $0.jobID = "nope" })
                Issue.record("stopping an unknown job succeeded")
            } catch let error as RPCError {
                #expect(error.code == .notFound)
            }
        }
    }

    @Test("a blocking query returns when the job changes, not before")
    func blockingQuery() async throws {
        try await withServices { jobs, _ in
            let first = try await jobs.register(.with { $0.job = Self.job("api") })
            let waiting = Task {
                try await jobs.get(
                    .with {
                        $0.jobID = "api"
                        $0.query.minIndex = first.meta.index
                        $0.query.maxWait = .init(seconds: 20)
                    })
            }
            var changed = Self.job("api")
            changed.meta = ["v": "2"]
            let second = try await jobs.register(.with { $0.job = changed })
            let seen = try await waiting.value
            #expect(seen.meta.index >= second.meta.index)
            #expect(seen.job.version == 1)

            let start = ContinuousClock.now
            let timedOut = try await jobs.get(
                .with {
                    $0.jobID = "api"
                    $0.query.minIndex = seen.meta.index
                    $0.query.maxWait = .init(nanos: 200_000_000)
                })
            #expect(ContinuousClock.now - start >= .milliseconds(200))
            #expect(timedOut.meta.index == seen.meta.index)
        }
    }

    @Test("plan is a dry run: it shows the diff, the placements it would make and the check index, and writes nothing")
    func planDiff() async throws {
        try await withServices { jobs, _ in
            let registered = try await jobs.register(.with { $0.job = Self.job("api") })
            var changed = Self.job("api")
            changed.taskGroups[0].count = 3
            changed.taskGroups[0].tasks[0].env = ["MODE": "fast"]
            let plan = try await jobs.plan(.with { $0.job = changed })
            #expect(plan.jobModifyIndex == registered.jobModifyIndex)
            #expect(plan.diff.type == .edited)
            let group = try #require(plan.diff.taskGroups.first)
            #expect(group.name == "web" && group.type == .edited)
            #expect(group.fields.contains { $0.name == "count" && $0.old == "2" && $0.new == "3" })
            let task = try #require(group.tasks.first)
            #expect(task.fields.contains { $0.name == "env.MODE" && $0.type == .added && $0.new == "fast" })
            #expect(plan.diff.fields.isEmpty, "nothing at job level changed: \(plan.diff.fields.map(\.name))")
            // No nodes: the dry run reports what could not be placed.
            #expect(plan.failedTgAllocs["web"] != nil)
            #expect(try await jobs.get(.with { $0.jobID = "api" }).job.version == 0, "plan wrote nothing")

            let same = try await jobs.plan(.with { $0.job = Self.job("api") })
            #expect(same.diff.type == .none)
        }
    }
}
