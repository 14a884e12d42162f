import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SwiftProtobuf
import TestSupport
import Testing

/// Periodic jobs on real serverd processes: launched on their cron ticks by whichever server leads, once per
/// tick, and on demand with `ctl job periodic force`.
@Suite("periodic jobs on a real serverd cluster", .serialized, .timeLimit(.minutes(4)))
struct PeriodicJobTests {
    static func periodicJob(_ id: String) -> Caravan_V1_Job {
        var job = SchedulingClusterTests.job(id, count: 1)
        job.type = .batch
        job.periodic = .with {
            $0.enabled = true
            $0.crons = ["* * * * *"]
        }
        return job
    }

    /// The jobs `on` knows, read with a blocking query until `done` holds.
    static func waitForJobs(
        _ cluster: ServerCluster, on index: Int, timeout: Duration,
        until done: ([Caravan_V1_JobListStub]) -> Bool
    ) async throws -> [Caravan_V1_JobListStub] {
        let deadline = ContinuousClock.now + timeout
        var minIndex: UInt64 = 0
        var last: [Caravan_V1_JobListStub] = []
        while ContinuousClock.now < deadline {
            let response = try? await SchedulingClusterTests.withJobs(cluster, index) { jobs in
                try await jobs.list(
                    .with {
                        $0.query.minIndex = minIndex
                        $0.query.maxWait = .init(seconds: 2)
                    })
            }
            if let response {
                last = response.jobs
                if done(last) { return last }
                minIndex = response.meta.index
            } else {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        throw CaravanError(.deadlineExceeded, "jobs never got there: \(last.map(\.id))")
    }

    @Test("a one-minute cron launches on time across a leader kill, and no tick is launched twice")
    func acrossLeaderKill() async throws {
        let cluster = try ServerCluster(size: 3)
        defer { cluster.killAllNow() }
        try cluster.startAll()
        let leader = try await cluster.waitForLeader()
        _ = try await SchedulingClusterTests.withJobs(cluster, leader) {
            try await $0.register(.with { $0.job = Self.periodicJob("report") })
        }
        // The first minute boundary at least 12 s away: the leader is killed 8 s before it.
        let now = Date().timeIntervalSince1970
        let tick = (floor((now + 12) / 60) + 1) * 60
        try await Task.sleep(for: .seconds(max(0, tick - 8 - Date().timeIntervalSince1970)))
        await cluster.kill(leader)
        let survivor = try await cluster.waitForLeader(excluding: leader)

        let childID = "report/periodic-\(Int(tick))"
        let jobs = try await Self.waitForJobs(cluster, on: survivor, timeout: .seconds(40)) { jobs in
            jobs.contains { $0.id == childID }
        }
        let children = jobs.filter { $0.parentID == "report" }
        #expect(children.map(\.id).contains(childID))
        for child in children {
            let (job, evals) = try await SchedulingClusterTests.withJobs(cluster, survivor) { client in
                let job = try await client.get(.with { $0.jobID = child.id }).job
                // Without nodes each launch's evaluation leaves a blocked one behind: count the launches' own.
                let evals = try await client.evaluations(.with { $0.jobID = child.id }).evaluations.filter {
                    $0.triggeredBy == "periodic-job"
                }
                return (job, evals)
            }
            // Launched once: one registration (version 0) and one evaluation.
            #expect(job.version == 0, "\(child.id) was registered \(job.version + 1) times")
            #expect(evals.count == 1, "\(child.id) has \(evals.count) evaluations")
            if child.id == childID {
                // On time: the new leader launched it within a few seconds of the tick.
                let late = job.submitTime.date.timeIntervalSince1970 - tick
                #expect(late >= 0 && late < 5, "launched \(late)s after its tick")
            }
        }
    }

    @Test("ctl job periodic force launches a child now; a job that is not periodic is refused with the reason")
    func force() async throws {
        let cluster = try ServerCluster(size: 1)
        defer { cluster.killAllNow() }
        try cluster.startAll()
        _ = try await cluster.waitForLeader()
        var hourly = Self.periodicJob("nightly")
        hourly.periodic.crons = ["@yearly"]
        _ = try await SchedulingClusterTests.withJobs(cluster, 0) { try await $0.register(.with { $0.job = hourly }) }
        _ = try await SchedulingClusterTests.withJobs(cluster, 0) {
            try await $0.register(.with { $0.job = SchedulingClusterTests.job("web", count: 1) })
        }
        let connection = [
            "-address", cluster.slots[0].rpcAddress.description, "-ca-cert", cluster.certs.path("ca.pem"),
            "-client-cert", cluster.certs.path("cli.pem"), "-client-key", cluster.certs.path("cli-key.pem"),
        ]
        let forced = try await runCommand(
            BuiltProducts.path("ctl"), ["job", "periodic", "force"] + connection + ["-detach", "nightly"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.stdout.contains("launched as \"nightly/periodic-"), "\(forced.stdout)")
        let jobs = try await Self.waitForJobs(cluster, on: 0, timeout: .seconds(10)) { jobs in
            jobs.contains { $0.parentID == "nightly" }
        }
        #expect(jobs.filter { $0.parentID == "nightly" }.count == 1)

        let refused = try await runCommand(
            BuiltProducts.path("ctl"), ["job", "periodic", "force"] + connection + ["-detach", "web"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("not periodic"), "\(refused.stderr)")
        let missing = try await runCommand(
            BuiltProducts.path("ctl"), ["job", "periodic", "force"] + connection + ["-detach", "nope"])
        #expect(missing.status == 1 && missing.stderr.contains("not registered"), "\(missing.stderr)")
    }
}
