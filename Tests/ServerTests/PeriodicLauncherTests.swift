import CaravanProto
import CaravanRPC
import Foundation
import Logging
import State
import SwiftProtobuf
import Synchronization
import Testing

@testable import CaravanServer

/// `ClusterAccess` over an in-process state machine: the launcher's view and writes without Raft.
final class LocalClusterAccess: ClusterAccess {
    let state = LocalReplicatedState()

    func latestView() async throws -> StateView { try await state.read(stale: true) { $0 }.value }
    func proposeAsLeader(_ command: Caravan_V1_StateCommand) async throws -> AppliedCommand {
        try await state.propose(command)
    }
    func waitUntilApplied(_ index: UInt64) async throws {}
}

/// The leader's periodic launcher on a controlled clock: which ticks launch, once each, and what overlaps skip.
@Suite("periodic launcher")
struct PeriodicLauncherTests {
    /// 2023-11-14T22:13:20Z; the job is registered 20 s into a minute.
    static let registeredAt = Date(timeIntervalSince1970: 1_700_000_000)

    final class Clock: Sendable {
        private let current = Mutex(PeriodicLauncherTests.registeredAt)
        var now: Date { current.withLock { $0 } }
        func set(_ date: Date) { current.withLock { $0 = date } }
    }

    static func register(_ cluster: LocalClusterAccess, cron: String = "* * * * *", prohibitOverlap: Bool = false)
        async throws
    {
        var job = Caravan_V1_Job()
        job.id = "report"
        job.name = "report"
        job.namespace = "default"
        job.type = .batch
        job.datacenters = ["dc1"]
        job.periodic = .with {
            $0.enabled = true
            $0.crons = [cron]
            $0.prohibitOverlap = prohibitOverlap
        }
        job.taskGroups = [
            .with {
                $0.name = "g"
                $0.count = 1
                $0.tasks = [
                    .with {
                        $0.name = "t"; $0.driver = "raw_exec"
                    }
                ]
            }
        ]
        var command = StateCommands.envelope(at: registeredAt)
        command.registerJob = .with { $0.job = job }
        _ = try await cluster.proposeAsLeader(command)
    }

    func launcher(_ cluster: LocalClusterAccess, _ clock: Clock) -> PeriodicLauncher {
        PeriodicLauncher(cluster: cluster, logger: Logger(label: "test"), now: { clock.now })
    }

    func children(_ cluster: LocalClusterAccess) async throws -> [String] {
        try await cluster.latestView().cluster.children(namespace: "default", parentID: "report").map(\.id).sorted()
    }

    @Test("nothing launches before the first tick; at it, one child; looking again launches nothing more")
    func firstTick() async throws {
        let cluster = LocalClusterAccess()
        try await Self.register(cluster)
        let clock = Clock()
        let launcher = launcher(cluster, clock)
        let wait = try await launcher.launchDue()
        #expect(try await children(cluster).isEmpty)
        #expect(wait <= .seconds(1))
        clock.set(Self.registeredAt.addingTimeInterval(40))  // 22:14:00, the first tick
        _ = try await launcher.launchDue()
        _ = try await launcher.launchDue()
        #expect(try await children(cluster) == ["report/periodic-1700000040"])
    }

    @Test("a second launcher (a new leader) does not launch a tick twice")
    func newLeader() async throws {
        let cluster = LocalClusterAccess()
        try await Self.register(cluster)
        let clock = Clock()
        clock.set(Self.registeredAt.addingTimeInterval(45))
        _ = try await launcher(cluster, clock).launchDue()
        _ = try await launcher(cluster, clock).launchDue()
        #expect(try await children(cluster) == ["report/periodic-1700000040"])
        let evals = try await cluster.latestView().cluster.evaluations(
            namespace: "default", jobID: "report/periodic-1700000040")
        #expect(evals.count == 1 && evals[0].triggeredBy == "periodic-job")
    }

    @Test("after a long pause only the latest missed tick launches")
    func catchUp() async throws {
        let cluster = LocalClusterAccess()
        try await Self.register(cluster)
        let clock = Clock()
        clock.set(Self.registeredAt.addingTimeInterval(40 + 600 + 5))  // ten minutes of ticks missed
        _ = try await launcher(cluster, clock).launchDue()
        #expect(try await children(cluster) == ["report/periodic-1700000640"])
    }

    @Test("prohibit_overlap: a tick whose predecessor still runs is skipped, and the schedule moves on")
    func prohibitOverlap() async throws {
        let cluster = LocalClusterAccess()
        try await Self.register(cluster, prohibitOverlap: true)
        let clock = Clock()
        let launcher = launcher(cluster, clock)
        clock.set(Self.registeredAt.addingTimeInterval(40))
        _ = try await launcher.launchDue()
        // The first child's evaluation is still pending (nothing scheduled it): it counts as running.
        clock.set(Self.registeredAt.addingTimeInterval(100))
        _ = try await launcher.launchDue()
        #expect(try await children(cluster) == ["report/periodic-1700000040"])
        let last = try await cluster.latestView().cluster.lastPeriodicLaunch(namespace: "default", jobID: "report")
        #expect(last?.date == Self.registeredAt.addingTimeInterval(100))
    }

    @Test("the crons' time zone decides the wall clock of each tick")
    func timeZone() async throws {
        let cluster = LocalClusterAccess()
        var job = try await cluster.latestView().cluster.job(namespace: "default", id: "report")
        #expect(job == nil)
        try await Self.register(cluster, cron: "0 9 * * *")
        var command = StateCommands.envelope(at: Self.registeredAt)
        job = try await cluster.latestView().cluster.job(namespace: "default", id: "report")
        var zoned = try #require(job)
        zoned.periodic.timeZone = "America/New_York"
        command.registerJob = .with { $0.job = zoned }
        _ = try await cluster.proposeAsLeader(command)
        let clock = Clock()
        // 09:00 in New York on 2023-11-15 is 14:00Z (EST).
        clock.set(Date(timeIntervalSince1970: 1_700_056_800 - 1))
        _ = try await launcher(cluster, clock).launchDue()
        #expect(try await children(cluster).isEmpty)
        clock.set(Date(timeIntervalSince1970: 1_700_056_800))
        _ = try await launcher(cluster, clock).launchDue()
        #expect(try await children(cluster) == ["report/periodic-1700056800"])
    }
}
