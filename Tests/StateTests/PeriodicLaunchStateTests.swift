import CaravanProto
import CaravanRPC
import Foundation
import State
import SwiftProtobuf
import Testing

/// Periodic launches as the state machine records them: each tick once, whichever leader proposes it.
@Suite("StateMachine: periodic launches")
struct PeriodicLaunchStateTests {
    static let tick = Date(timeIntervalSince1970: 1_700_000_040)

    static func periodicJob() -> Caravan_V1_Job {
        var job = ClusterStateTests.job("report")
        job.type = .batch
        job.periodic = .with {
            $0.enabled = true
            $0.crons = ["* * * * *"]
        }
        return job
    }

    static func launch(at tick: Date, child: Bool = true, forced: Bool = false) throws -> [UInt8] {
        try ClusterStateTests.entry {
            $0.periodicLaunch = .with {
                $0.namespace = "default"
                $0.parentID = "report"
                $0.launch = Google_Protobuf_Timestamp(date: tick)
                $0.forced = forced
                if child {
                    var job = periodicJob()
                    job.id = "report/periodic-\(Int(tick.timeIntervalSince1970))\(forced ? "-forced" : "")"
                    job.parentID = "report"
                    job.clearPeriodic()
                    $0.child = job
                    $0.eval = ClusterStateTests.eval("eval-\(job.id)", job: job.id)
                }
            }
        }
    }

    func registered() throws -> StateMachine {
        let machine = StateMachine()
        _ = machine.apply(
            entryData: try ClusterStateTests.entry { $0.registerJob = .with { $0.job = Self.periodicJob() } }, index: 1)
        return machine
    }

    @Test("a tick registers its child with its evaluation; the same or an earlier tick is refused and changes nothing")
    func onceEachTick() throws {
        let machine = try registered()
        let result = machine.apply(entryData: try Self.launch(at: Self.tick), index: 2)
        #expect(result.refusal == nil)
        let child = try #require(machine.view.cluster.job(namespace: "default", id: "report/periodic-1700000040"))
        #expect(child.parentID == "report" && !child.hasPeriodic && child.version == 0)
        #expect(machine.view.cluster.evaluations(namespace: "default", jobID: child.id).count == 1)
        #expect(machine.view.cluster.lastPeriodicLaunch(namespace: "default", jobID: "report")?.date == Self.tick)

        for (index, tick) in [(UInt64(3), Self.tick), (4, Self.tick.addingTimeInterval(-60))] {
            let again = machine.apply(entryData: try Self.launch(at: tick), index: index)
            #expect(again.refusal?.code == .failedPrecondition)
        }
        #expect(machine.view.cluster.children(namespace: "default", parentID: "report").count == 1)
        #expect(machine.view.cluster.evaluations(namespace: "default", jobID: child.id).count == 1)
    }

    @Test("a forced launch never moves the schedule; a skipped tick is recorded without a child")
    func forcedAndSkipped() throws {
        let machine = try registered()
        _ = machine.apply(entryData: try Self.launch(at: Self.tick), index: 2)
        let forced = machine.apply(entryData: try Self.launch(at: Self.tick, forced: true), index: 3)
        #expect(forced.refusal == nil)
        #expect(machine.view.cluster.children(namespace: "default", parentID: "report").count == 2)
        #expect(machine.view.cluster.lastPeriodicLaunch(namespace: "default", jobID: "report")?.date == Self.tick)

        let next = Self.tick.addingTimeInterval(60)
        #expect(machine.apply(entryData: try Self.launch(at: next, child: false), index: 4).refusal == nil)
        #expect(machine.view.cluster.lastPeriodicLaunch(namespace: "default", jobID: "report")?.date == next)
        #expect(machine.view.cluster.children(namespace: "default", parentID: "report").count == 2)
    }

    @Test("launches of a job that is not periodic, or stopped, are refused")
    func refusals() throws {
        let machine = StateMachine()
        _ = machine.apply(
            entryData: try ClusterStateTests.entry {
                $0.registerJob = .with { $0.job = ClusterStateTests.job("report") }
            },
            index: 1)
        #expect(machine.apply(entryData: try Self.launch(at: Self.tick), index: 2).refusal?.code == .notFound)

        let periodic = try registered()
        _ = periodic.apply(
            entryData: try ClusterStateTests.entry {
                $0.deregisterJob = .with {
                    $0.jobID = "report"; $0.namespace = "default"
                }
            }, index: 2)
        #expect(
            periodic.apply(entryData: try Self.launch(at: Self.tick), index: 3).refusal?.code == .failedPrecondition)
    }

    @Test("the last launch survives a snapshot and is forgotten when the job is purged")
    func snapshotAndPurge() throws {
        let machine = try registered()
        _ = machine.apply(entryData: try Self.launch(at: Self.tick), index: 2)
        let restored = StateMachine()
        try restored.restore(from: try machine.snapshot())
        #expect(restored.view.cluster.lastPeriodicLaunch(namespace: "default", jobID: "report")?.date == Self.tick)
        // The launcher's index holds the parent, never its children, on the leader and after a restore.
        #expect(machine.view.cluster.periodicJobs.map(\.id) == ["report"])
        #expect(restored.view.cluster.periodicJobs.map(\.id) == ["report"])
        // A new leader restored from the snapshot still refuses the launched tick.
        #expect(
            restored.apply(entryData: try Self.launch(at: Self.tick), index: 3).refusal?.code == .failedPrecondition)

        _ = machine.apply(
            entryData: try ClusterStateTests.entry {
                $0.deregisterJob = .with {
                    $0.jobID = "report"; $0.namespace = "default"; $0.purge = true
                }
            }, index: 3)
        #expect(machine.view.cluster.lastPeriodicLaunch(namespace: "default", jobID: "report") == nil)
        #expect(machine.view.cluster.periodicJobs.isEmpty)
    }
}
