import CaravanProto
import CaravanRPC
import CaravanServer
import Foundation
import State
import TestSupport
import Testing

/// `Jobs.Dispatch` over mutual TLS on the single-process replicated state: the child it registers with its
/// evaluation, every refusal (which must leave the state as it was) and idempotency tokens.
@Suite("Job dispatch", .timeLimit(.minutes(2)))
struct JobDispatchTests {
    struct Counts: Equatable, Sendable {
        var jobs: Int
        var evals: Int
    }

    /// The two services a dispatch test talks to, on one in-process server.
    struct Services {
        let jobs: any Caravan_V1_Jobs.ClientProtocol
        let evaluations: any Caravan_V1_Evaluations.ClientProtocol

        /// How many jobs and evaluations the state holds, to show that a refused dispatch wrote nothing.
        func counts() async throws -> Counts {
            let jobs = try await jobs.list(.init()).jobs.count
            let evals = try await evaluations.list(.init()).evaluations.count
            return Counts(jobs: jobs, evals: evals)
        }

        func dispatch(_ modify: (inout Caravan_V1_DispatchJobRequest) -> Void) async throws
            -> Caravan_V1_DispatchJobResponse
        {
            var request = Caravan_V1_DispatchJobRequest()
            request.jobID = "render"
            request.meta = ["who": "caravan"]
            modify(&request)
            return try await jobs.dispatch(request)
        }
    }

    func withServices(_ body: (Services) async throws -> Void) async throws {
        let fixture = try CertificateFixture()
        let hub = StateChangeHub()
        let queries = ClusterQueries(state: LocalReplicatedState(observer: { hub.publish($0) }), hub: hub)
        let tls = try fixture.material("server")
        try await withRunningServer(
            tls: tls, services: [JobsService(queries: queries), EvaluationsService(queries: queries)]
        ) { _, address in
            let dialer = RPCDialer(tls: try fixture.material("cli"), callTimeout: .seconds(20))
            try await dialer.withClient(address) { client in
                try await body(
                    Services(
                        jobs: Caravan_V1_Jobs.Client(wrapping: client),
                        evaluations: Caravan_V1_Evaluations.Client(wrapping: client)))
            }
        }
    }

    /// A batch job "render": parameterized (who required, color optional) unless `parameterized` is nil.
    static func job(
        _ id: String = "render",
        parameterized payload: Caravan_V1_ParameterizedConfig.PayloadRequirement? = .optional
    ) -> Caravan_V1_Job {
        var job = Caravan_V1_Job()
        job.id = id
        job.type = .batch
        job.datacenters = ["dc1"]
        job.meta = ["team": "render-team", "who": "nobody"]
        if let payload {
            job.parameterized = .with {
                $0.payload = payload
                $0.metaRequired = ["who"]
                $0.metaOptional = ["color"]
            }
        }
        var task = Caravan_V1_Task()
        task.name = "draw"
        task.driver = "raw_exec"
        task.config = .init(fields: ["command": .init(stringValue: "/bin/true")])
        task.dispatchPayload = .with { $0.file = "input.txt" }
        var group = Caravan_V1_TaskGroup()
        group.name = "g"
        group.tasks = [task]
        job.taskGroups = [group]
        return job
    }

    @Test("a dispatch registers a child with the parent's spec, its payload and merged meta, and an evaluation")
    func child() async throws {
        try await withServices { services in
            let registered = try await services.jobs.register(.with { $0.job = Self.job() })
            #expect(registered.evalID.isEmpty, "the parameterized parent itself is not scheduled")
            let before = Int64(Date().timeIntervalSince1970)
            let response = try await services.dispatch {
                $0.meta["color"] = "blue"
                $0.payload = Data("hello".utf8)
            }
            let after = Int64(Date().timeIntervalSince1970)

            let id = response.dispatchedJobID
            let match = try #require(id.wholeMatch(of: /render\/dispatch-(\d+)-([0-9a-f]{8})/), "\(id)")
            let seconds = try #require(Int64(match.1))
            #expect((before...after).contains(seconds), "\(id) was dispatched between \(before) and \(after)")

            let child = try await services.jobs.get(.with { $0.jobID = id }).job
            #expect(child.name == id && child.parentID == "render" && child.dispatched)
            #expect(!child.hasParameterized)
            #expect(child.payload == Data("hello".utf8))
            #expect(child.meta == ["team": "render-team", "who": "caravan", "color": "blue"])
            #expect(child.taskGroups.first?.tasks.first?.dispatchPayload.file == "input.txt")

            let eval = try await services.evaluations.get(.with { $0.evalID = response.evalID }).evaluation
            #expect(eval.jobID == id && eval.status == .pending)
            #expect(eval.triggeredBy == "job-register" && eval.type == "batch")

            let parent = try await services.jobs.get(.with { $0.jobID = "render" }).job
            #expect(parent.hasParameterized && parent.payload.isEmpty && parent.meta["who"] == "nobody")
            #expect(try await services.counts() == Counts(jobs: 2, evals: 1))
        }
    }

    /// One request the servers must refuse, with the code and the words the refusal must carry.
    struct Refusal: Sendable, CustomTestStringConvertible {
        var name: String
        var payload: Caravan_V1_ParameterizedConfig.PayloadRequirement? = .optional
        var stopped = false
        var request: @Sendable (inout Caravan_V1_DispatchJobRequest) -> Void
        var code: String
        var words: [String]
        var testDescription: String { name }
    }

    static let refusals: [Refusal] = [
        Refusal(name: "an unknown job", request: { $0.jobID = "nope" }, code: "notFound", words: ["nope"]),
        Refusal(
            name: "a job that is not parameterized", payload: nil, request: { _ in }, code: "failedPrecondition",
            words: ["job \"render\" is not parameterized"]),
        Refusal(
            name: "a stopped parent", stopped: true, request: { _ in }, code: "failedPrecondition",
            words: ["stopped"]),
        Refusal(
            name: "missing required meta", request: { $0.meta = ["color": "red"] }, code: "invalidArgument",
            words: ["missing required meta keys: who"]),
        Refusal(
            name: "unexpected meta",
            request: {
                $0.meta["size"] = "xl"; $0.meta["shape"] = "round"
            },
            code: "invalidArgument", words: ["unexpected meta keys: shape, size", "permitted: color, who"]),
        Refusal(
            name: "the reserved token key as meta", request: { $0.meta["caravan.dispatch_token"] = "x" },
            code: "invalidArgument", words: ["unexpected meta keys: caravan.dispatch_token"]),
        Refusal(
            name: "a required payload missing", payload: .required, request: { _ in }, code: "invalidArgument",
            words: ["requires a payload"]),
        Refusal(
            name: "a forbidden payload given", payload: .forbidden, request: { $0.payload = Data("x".utf8) },
            code: "invalidArgument", words: ["forbids a payload"]),
        Refusal(
            name: "a payload over 16 KiB", request: { $0.payload = Data(repeating: 0x61, count: 16 * 1024 + 1) },
            code: "invalidArgument", words: ["16385 bytes", "at most 16384 bytes"]),
    ]

    @Test("a refused dispatch says why and changes nothing", arguments: refusals)
    func refused(_ refusal: Refusal) async throws {
        try await withServices { services in
            _ = try await services.jobs.register(.with { $0.job = Self.job(parameterized: refusal.payload) })
            if refusal.stopped { _ = try await services.jobs.deregister(.with { $0.jobID = "render" }) }
            let before = try await services.counts()
            do {
                let response = try await services.dispatch(refusal.request)
                Issue.record("dispatch was accepted: \(response.dispatchedJobID)")
            } catch {
                #expect("\(RPCErrorText.code(of: error))" == refusal.code, "\(error)")
                let message = RPCErrorText.describe(error)
                for word in refusal.words { #expect(message.contains(word), "\(message)") }
            }
            #expect(try await services.counts() == before)
        }
    }

    @Test("a repeated token returns the first child; other tokens and no token make new children")
    func idempotencyToken() async throws {
        try await withServices { services in
            _ = try await services.jobs.register(.with { $0.job = Self.job() })
            let first = try await services.dispatch { $0.idempotencyToken = "t-1" }
            let again = try await services.dispatch { $0.idempotencyToken = "t-1" }
            #expect(again.dispatchedJobID == first.dispatchedJobID)
            #expect(again.evalID == first.evalID)
            #expect(try await services.counts() == Counts(jobs: 2, evals: 1))

            let other = try await services.dispatch { $0.idempotencyToken = "t-2" }
            let plain = try await services.dispatch { _ in }
            let plainAgain = try await services.dispatch { _ in }
            let ids = Set([first, other, plain, plainAgain].map(\.dispatchedJobID))
            #expect(ids.count == 4, "\(ids)")
            #expect(try await services.counts() == Counts(jobs: 5, evals: 4))

            // A refused retry is refused even with a known token: the request is checked first.
            await #expect(throws: (any Error).self) {
                _ = try await services.dispatch {
                    $0.idempotencyToken = "t-1"
                    $0.meta = [:]
                }
            }
            // Once the child is stopped, the token makes a new one.
            _ = try await services.jobs.deregister(.with { $0.jobID = first.dispatchedJobID })
            let after = try await services.dispatch { $0.idempotencyToken = "t-1" }
            #expect(after.dispatchedJobID != first.dispatchedJobID)
        }
    }
}
