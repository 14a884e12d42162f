import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import SwiftProtobuf
import TestSupport
import Testing

/// `ctl job history|revert|promote` and `ctl deployment ...` against real daemons. The first test needs only a
/// server; the `rollout` tests need the scheduler to create deployments and clientd to report allocation health.
@Suite("ctl job history, revert and deployments on a real cluster", .serialized, .timeLimit(.minutes(4)))
struct CtlDeploymentCommandTests {
    /// A raw_exec service job that sleeps; `count` and `extra` (HCL inside the group) vary between versions.
    static func job(_ name: String, count: Int, extra: String = "", command: String = "exec sleep 600") -> String {
        """
        job "\(name)" {
          datacenters = ["dc1"]
          group "web" {
            count = \(count)
            \(extra)
            task "server" {
              driver = "raw_exec"
              config {
                command = "/bin/sh"
                args    = ["-c", "\(command)"]
              }
            }
          }
        }
        """
    }

    static func versions(_ cluster: ClientCluster, job: String) async throws -> [Caravan_V1_Job] {
        try await cluster.servers.dialer.withClient(cluster.server) { client in
            try await Caravan_V1_Jobs.Client(wrapping: client).versions(.with { $0.jobID = job }).versions
        }
    }

    /// Job versions of the allocations the servers want running.
    static func runningVersions(_ cluster: ClientCluster, job: String) async throws -> [UInt64] {
        try await cluster.servers.dialer.withClient(cluster.server) { client in
            try await Caravan_V1_Jobs.Client(wrapping: client).allocations(.with { $0.jobID = job }).allocations
                .filter { $0.desiredStatus == .run && ($0.clientStatus == .running || $0.clientStatus == .pending) }
                .map(\.jobVersion).sorted()
        }
    }

    /// Repeats a blocking query (min_index from the previous answer, 2 s waits) until its answer satisfies `done`
    /// or `timeout` passes; returns the last answer.
    static func block<Answer>(
        timeout: Duration, _ ask: (Caravan_V1_QueryOptions) async throws -> (Answer, UInt64),
        until done: (Answer) -> Bool
    ) async throws -> Answer? {
        let deadline = ContinuousClock.now + timeout
        var options = Caravan_V1_QueryOptions()
        options.maxWait = Google_Protobuf_Duration(seconds: 2)
        var last: Answer?
        while ContinuousClock.now < deadline {
            let (answer, index) = try await ask(options)
            last = answer
            if done(answer) { return answer }
            options.minIndex = index
        }
        return last
    }

    /// Waits until the job versions of the allocations wanted running (and running) satisfy `done`.
    static func waitForRunningVersions(
        _ cluster: ClientCluster, job: String, timeout: Duration, until done: ([UInt64]) -> Bool
    ) async throws -> [UInt64] {
        try await block(
            timeout: timeout,
            { options in
                let response = try await cluster.servers.dialer.withClient(cluster.server) { client in
                    try await Caravan_V1_Jobs.Client(wrapping: client).allocations(
                        .with {
                            $0.jobID = job
                            $0.query = options
                        })
                }
                let versions = response.allocations.filter { $0.desiredStatus == .run && $0.clientStatus == .running }
                    .map(\.jobVersion).sorted()
                return (versions, response.meta.index)
            }, until: done) ?? []
    }

    static func deployments(_ cluster: ClientCluster, job: String) async throws -> [Caravan_V1_Deployment] {
        try await cluster.servers.dialer.withClient(cluster.server) { client in
            try await Caravan_V1_Jobs.Client(wrapping: client).deployments(.with { $0.jobID = job }).deployments
        }
    }

    /// Waits until the job's newest deployment satisfies `done`.
    static func waitForDeployment(
        _ cluster: ClientCluster, job: String, timeout: Duration = .seconds(90),
        until done: (Caravan_V1_Deployment) -> Bool
    ) async throws -> Caravan_V1_Deployment {
        let last = try await block(
            timeout: timeout,
            { options in
                let response = try await cluster.servers.dialer.withClient(cluster.server) { client in
                    try await Caravan_V1_Jobs.Client(wrapping: client).deployments(
                        .with {
                            $0.jobID = job
                            $0.query = options
                        })
                }
                return (response.deployments.first, response.meta.index)
            }, until: { $0.map(done) ?? false })
        guard let found = last ?? nil, done(found) else {
            throw CaravanError(.deadlineExceeded, "deployment of \(job) never got there: \(String(describing: last))")
        }
        return found
    }

    @Test("history -p shows what a version changed; revert runs v0 again as v2; bad versions change nothing")
    func historyAndRevert() async throws {
        let cluster = try ClientCluster()
        defer { cluster.stopAll() }
        try cluster.servers.startAll()
        _ = try await cluster.servers.waitForLeader()
        try await cluster.run(job: "web", Self.job("web", count: 1))
        try await cluster.run(job: "web", Self.job("web", count: 2))

        let history = try await cluster.ctl(["job", "history"], ["-p", "web"])
        #expect(history.status == 0, "\(history.stderr)")
        #expect(history.stdout.hasPrefix("Version     = 1\nStable      = false\n"), "\(history.stdout)")
        #expect(
            history.stdout.contains("Diff        =\n+/- Job: \"web\"\n+/- Task Group: \"web\"\n"), "\(history.stdout)")
        #expect(history.stdout.contains("  +/- count: \"1\" => \"2\""), "\(history.stdout)")
        #expect(history.stdout.contains("\n\nVersion     = 0\n"), "\(history.stdout)")
        let unknownVersion = try await cluster.ctl(["job", "history"], ["-version", "9", "web"])
        #expect(unknownVersion.status == 1 && unknownVersion.stderr.contains("has no stored version 9"))

        let before = try await Self.versions(cluster, job: "web")
        let unknown = try await cluster.ctl(["job", "revert"], ["-detach", "web", "5"])
        #expect(unknown.status == 1, "\(unknown.stdout)")
        #expect(unknown.stderr.contains("job \"web\" has no stored version 5"), "\(unknown.stderr)")
        let current = try await cluster.ctl(["job", "revert"], ["-detach", "web", "1"])
        #expect(current.status == 1 && current.stderr.contains("already at version 1"), "\(current.stderr)")
        let stale = try await cluster.ctl(["job", "revert"], ["-detach", "-check-version", "0", "web", "0"])
        #expect(stale.status == 1 && stale.stderr.contains("is at version 1, not 0"), "\(stale.stderr)")
        #expect(try await Self.versions(cluster, job: "web") == before)

        let revert = try await cluster.ctl(["job", "revert"], ["-detach", "web", "0"])
        #expect(revert.status == 0, "\(revert.stdout) \(revert.stderr)")
        #expect(revert.stdout.contains("created for job \"web\" (reverted to version 0)"), "\(revert.stdout)")
        let after = try await Self.versions(cluster, job: "web")
        #expect(after.map(\.version) == [2, 1, 0])
        #expect(after.first?.taskGroups.first?.count == 1)

        let noDeployment = try await cluster.ctl(["deployment", "status"], ["ffffffff"])
        #expect(noDeployment.status == 1, "\(noDeployment.stdout)")
        #expect(noDeployment.stderr.contains("no deployment with id or prefix \"ffffffff\""), "\(noDeployment.stderr)")
        // Promoting a job whose rollout has no canaries (or that never had one) is refused and changes nothing.
        let deploymentsBefore = try await Self.deployments(cluster, job: "web")
        let promote = try await cluster.ctl(["job", "promote"], ["-detach", "web"])
        #expect(promote.status == 1, "\(promote.stdout)")
        #expect(
            ["no deployment to promote", "no canaries to promote", "there is nothing to promote"].contains {
                promote.stderr.contains($0)
            }, "\(promote.stderr)")
        #expect(try await Self.versions(cluster, job: "web").count == 3)
        #expect(
            try await Self.deployments(cluster, job: "web").map(\.taskGroups) == deploymentsBefore.map(\.taskGroups))
    }

    /// Needs the scheduler's deployments and clientd's health reports (issue 8, scheduler side).
    @Test("job run follows a healthy rollout to success; deployment list and status and job status show it")
    func rolloutSucceeds() async throws {
        let cluster = try ClientCluster(clientFlags: ["-enable-raw-exec"])
        defer { cluster.stopAll() }
        try await cluster.start()
        let update = """
            update {
              min_healthy_time  = "1s"
              healthy_deadline  = "30s"
              progress_deadline = "60s"
              auto_revert       = true
            }
            """
        let path = cluster.servers.root + "/web.hcl"
        try Self.job("web", count: 2, extra: update).write(toFile: path, atomically: true, encoding: .utf8)
        let run = try await cluster.ctl(["job", "run"], [path])
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains("==> Monitoring deployment"), "\(run.stdout)")
        #expect(run.stdout.contains("successful"), "\(run.stdout)")

        let deployment = try #require(try await Self.deployments(cluster, job: "web").first)
        #expect(deployment.status == .successful)
        let list = try await cluster.ctl(["deployment", "list"])
        #expect(list.status == 0 && list.stdout.contains(String(deployment.id.prefix(8))), "\(list.stdout)")
        #expect(list.stdout.contains("Deployment completed successfully"), "\(list.stdout)")
        let status = try await cluster.ctl(["deployment", "status"], [String(deployment.id.prefix(6))])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(
            status.stdout.contains("Job ID      = web\nJob Version = 0\nStatus      = successful"), "\(status.stdout)")
        #expect(
            status.stdout.contains("Deployed\nTask Group  Auto Revert  Desired  Placed  Healthy"), "\(status.stdout)")
        let jobStatus = try await cluster.ctl(["job", "status"], ["web"])
        #expect(
            jobStatus.stdout.contains("Latest Deployment\nID          = \(deployment.id.prefix(8))"),
            "\(jobStatus.stdout)")
        let versions = try await Self.versions(cluster, job: "web")
        #expect(versions.first?.stable == true, "a successful deployment marks its version stable")
        let paused = try await cluster.ctl(["deployment", "pause"], [String(deployment.id.prefix(8))])
        #expect(paused.status == 1 && paused.stderr.contains("has already ended (successful)"), "\(paused.stderr)")
    }

    /// Needs the scheduler's deployments and clientd's health reports (issue 8, scheduler side).
    @Test("a version whose tasks die fails its deployment: job run exits 1 and the job rolls back to the stable one")
    func rolloutFailsAndReverts() async throws {
        let cluster = try ClientCluster(clientFlags: ["-enable-raw-exec"])
        defer { cluster.stopAll() }
        try await cluster.start()
        let update = """
            update {
              min_healthy_time  = "1s"
              healthy_deadline  = "5s"
              progress_deadline = "10s"
              auto_revert       = true
            }
            restart {
              attempts = 0
              mode     = "fail"
            }
            """
        let path = cluster.servers.root + "/web.hcl"
        try Self.job("web", count: 1, extra: update).write(toFile: path, atomically: true, encoding: .utf8)
        let good = try await cluster.ctl(["job", "run"], [path])
        #expect(good.status == 0, "\(good.stdout) \(good.stderr)")
        try Self.job("web", count: 1, extra: update, command: "exit 3").write(
            toFile: path, atomically: true, encoding: .utf8)
        let bad = try await cluster.ctl(["job", "run"], [path])
        #expect(bad.status == 1, "\(bad.stdout) \(bad.stderr)")
        #expect(bad.stdout.contains("rolling back to job version 0"), "\(bad.stdout)")
        let versions = try await Self.versions(cluster, job: "web")
        #expect(versions.map(\.version).prefix(2) == [2, 1], "the rollback registers v0's spec as v2")
        // The failed v1 allocation is replaced by v2 after the service reschedule delay (30s).
        let running = try await Self.waitForRunningVersions(cluster, job: "web", timeout: .seconds(60)) { $0 == [2] }
        let status = try await cluster.ctl(["job", "status"], ["web"])
        #expect(running == [2], "back on v0's spec (as v2): \(status.stdout)")
    }

    /// Needs the scheduler's canaries and clientd's health reports (issue 8, scheduler side).
    @Test("a canary rollout waits for promotion; job promote continues it to success")
    func canaryPromotion() async throws {
        let cluster = try ClientCluster(clientFlags: ["-enable-raw-exec"])
        defer { cluster.stopAll() }
        try await cluster.start()
        let update = """
            update {
              canary            = 1
              min_healthy_time  = "1s"
              healthy_deadline  = "30s"
              progress_deadline = "60s"
            }
            """
        let path = cluster.servers.root + "/web.hcl"
        try Self.job("web", count: 2, extra: update).write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try await cluster.ctl(["job", "run"], [path]).status == 0)
        try Self.job("web", count: 2, extra: update, command: "exec sleep 700").write(
            toFile: path, atomically: true, encoding: .utf8)
        let run = try await cluster.ctl(["job", "run"], ["-detach", path])
        #expect(run.status == 0, "\(run.stderr)")
        let waiting = try await Self.waitForDeployment(cluster, job: "web") { deployment in
            deployment.jobVersion == 1 && deployment.taskGroups["web"]?.healthyAllocs == 1
        }
        #expect(waiting.status == .running && waiting.taskGroups["web"]?.promoted == false)
        let promote = try await cluster.ctl(["job", "promote"], ["web"])
        #expect(promote.status == 0, "\(promote.stdout) \(promote.stderr)")
        #expect(promote.stdout.contains("promoted") && promote.stdout.contains("successful"), "\(promote.stdout)")
        #expect(try await Self.runningVersions(cluster, job: "web") == [1, 1], "only v1 runs after the promotion")
        let twice = try await cluster.ctl(["deployment", "promote"], [String(waiting.id.prefix(8))])
        #expect(twice.status == 1, "a successful deployment cannot be promoted again: \(twice.stdout)")
    }
}
