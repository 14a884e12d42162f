import CaravanProto
import CaravanRPC
import CaravanServer
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import State
import TestSupport
import Testing

/// `Jobs.Versions` with diffs, `Jobs.Revert` and `Jobs.Stable` over mutual TLS on the single-process replicated
/// state. Every refusal is checked to leave the job's versions as they were.
@Suite("Job versions, revert and stability over mTLS", .timeLimit(.minutes(2)))
struct JobVersionsServiceTests {
    typealias Jobs = Caravan_V1_Jobs.Client<HTTP2ClientTransport.Posix>
    typealias Evaluations = Caravan_V1_Evaluations.Client<HTTP2ClientTransport.Posix>

    /// The Jobs and Evaluations services of `JobsServiceTests`, on a fresh state.
    func withServices(_ body: (Jobs, Evaluations) async throws -> Void) async throws {
        try await JobsServiceTests().withServices(body)
    }

    /// Versions 0 (count 2) and 1 (count 3) of "api".
    func registerTwoVersions(_ jobs: Jobs) async throws {
        _ = try await jobs.register(.with { $0.job = JobsServiceTests.job("api") })
        var changed = JobsServiceTests.job("api")
        changed.taskGroups[0].count = 3
        _ = try await jobs.register(.with { $0.job = changed })
    }

    func versions(_ jobs: Jobs) async throws -> [Caravan_V1_Job] {
        try await jobs.versions(.with { $0.jobID = "api" }).versions
    }

    @Test("versions come newest first with diffs[i] = versions[i] against versions[i+1] when asked")
    func versionDiffs() async throws {
        try await withServices { jobs, _ in
            try await registerTwoVersions(jobs)
            let plain = try await jobs.versions(.with { $0.jobID = "api" })
            #expect(plain.versions.map(\.version) == [1, 0] && plain.diffs.isEmpty)
            let response = try await jobs.versions(
                .with {
                    $0.jobID = "api"
                    $0.diffs = true
                })
            #expect(response.diffs.count == 1)
            let diff = try #require(response.diffs.first)
            #expect(diff.type == .edited)
            let group = try #require(diff.taskGroups.first)
            #expect(group.name == "web")
            #expect(group.fields.contains { $0.name == "count" && $0.old == "2" && $0.new == "3" }, "\(group.fields)")
        }
    }

    @Test("reverting registers the old specification as a new version with a job-register evaluation")
    func revert() async throws {
        try await withServices { jobs, evaluations in
            try await registerTwoVersions(jobs)
            let response = try await jobs.revert(
                .with {
                    $0.jobID = "api"
                    $0.version = 0
                    $0.enforcePriorVersion = 1
                })
            let all = try await versions(jobs)
            #expect(all.map(\.version) == [2, 1, 0])
            #expect(all.first?.taskGroups.first?.count == 2)
            #expect(response.jobModifyIndex == all.first?.jobModifyIndex)
            let eval = try await evaluations.get(.with { $0.evalID = response.evalID }).evaluation
            #expect(eval.triggeredBy == "job-register" && eval.jobModifyIndex == response.jobModifyIndex)
        }
    }

    @Test("a revert to an unknown or the current version, or with a stale prior version, is refused; nothing changes")
    func revertRefusals() async throws {
        try await withServices { jobs, _ in
            try await registerTwoVersions(jobs)
            let before = try await versions(jobs)
            await expectRefusal(.notFound, containing: "job \"api\" has no stored version 7") {
                _ = try await jobs.revert(
                    .with {
                        $0.jobID = "api"
                        $0.version = 7
                    })
            }
            await expectRefusal(.failedPrecondition, containing: "already at version 1") {
                _ = try await jobs.revert(
                    .with {
                        $0.jobID = "api"
                        $0.version = 1
                    })
            }
            await expectRefusal(.failedPrecondition, containing: "is at version 1, not 0") {
                _ = try await jobs.revert(
                    .with {
                        $0.jobID = "api"
                        $0.version = 0
                        $0.enforcePriorVersion = 0
                    })
            }
            await expectRefusal(.notFound, containing: "job \"nope\" is not registered") {
                _ = try await jobs.revert(.with { $0.jobID = "nope" })
            }
            #expect(try await versions(jobs) == before)
        }
    }

    @Test("a version whose specification equals the current one is refused as a no-op revert")
    func revertToSameSpecification() async throws {
        try await withServices { jobs, _ in
            try await registerTwoVersions(jobs)
            _ = try await jobs.revert(
                .with {
                    $0.jobID = "api"
                    $0.version = 0
                })
            let before = try await versions(jobs)
            await expectRefusal(.failedPrecondition, containing: "reverting would change nothing") {
                _ = try await jobs.revert(
                    .with {
                        $0.jobID = "api"
                        $0.version = 0
                    })
            }
            #expect(try await versions(jobs) == before)
        }
    }

    @Test("stability is set per stored version; an unknown version is NOT_FOUND")
    func stability() async throws {
        try await withServices { jobs, _ in
            try await registerTwoVersions(jobs)
            _ = try await jobs.stable(
                .with {
                    $0.jobID = "api"
                    $0.version = 0
                    $0.stable = true
                })
            #expect(try await versions(jobs).map(\.stable) == [false, true])
            await expectRefusal(.notFound, containing: "has no stored version 9") {
                _ = try await jobs.stable(
                    .with {
                        $0.jobID = "api"
                        $0.version = 9
                        $0.stable = true
                    })
            }
            #expect(try await versions(jobs).map(\.stable) == [false, true])
        }
    }
}
