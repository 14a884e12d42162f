import CaravanProto
import CaravanRPC
import Foundation
import Logging
import State

/// Launches periodic jobs' children on their cron ticks while this server leads (Nomad's periodic dispatcher).
///
/// Each tick goes through Raft as one command that records it and registers the child, and the state machine
/// refuses a tick at or before the recorded one: a new leader resumes after the last launch, launches a tick
/// missed during the election once, and never launches a tick twice. With `prohibit_overlap`, a tick whose
/// predecessor still runs is recorded without a child.
struct PeriodicLauncher: Sendable {
    let cluster: any ClusterAccess
    let logger: Logger
    let now: @Sendable () -> Date

    /// Launches due ticks until cancelled (leadership lost).
    func run() async {
        while !Task.isCancelled {
            var wait = Duration.seconds(1)
            do {
                wait = try await launchDue()
            } catch {
                if !Task.isCancelled { logger.warning("periodic launches failed", metadata: ["error": "\(error)"]) }
            }
            try? await Task.sleep(for: wait)
        }
    }

    /// Launches every tick now due; returns how long to wait before looking again: until the next tick, but at
    /// most a second, so a job registered meanwhile is not missed.
    func launchDue() async throws -> Duration {
        let view = try await cluster.latestView()
        let current = now()
        var earliest = current.addingTimeInterval(1)
        for job in view.cluster.periodicJobs {
            guard let parsed = PeriodicSchedule.of(job) else { continue }
            guard case .success(let schedule) = parsed else {
                if case .failure(let error) = parsed {
                    logger.error("periodic job cannot launch", metadata: ["job": "\(job.id)", "error": "\(error)"])
                }
                continue
            }
            let last =
                view.cluster.lastPeriodicLaunch(namespace: job.namespace, jobID: job.id)?.date
                ?? job.submitTime.date
            if let tick = schedule.latestDueTick(after: last, notAfter: current) {
                try await launch(job, tick: tick, view: view)
            }
            if let next = schedule.next(after: max(last, current)), next < earliest { earliest = next }
        }
        return .milliseconds(max(10, Int64(earliest.timeIntervalSince(now()) * 1000)))
    }

    private func launch(_ job: Caravan_V1_Job, tick: Date, view: StateView) async throws {
        let time = now()
        var launch = Caravan_V1_PeriodicLaunchCommand()
        launch.namespace = job.namespace
        launch.parentID = job.id
        launch.launch = .init(date: tick)
        let running = job.periodic.prohibitOverlap ? Self.runningChild(of: job, in: view) : nil
        if running == nil {
            let (child, eval) = PeriodicChild.make(parent: job, tick: tick, at: time)
            launch.child = child
            launch.eval = eval
        }
        var command = StateCommands.envelope(at: time)
        command.periodicLaunch = launch
        let applied = try await cluster.proposeAsLeader(command)
        if let refusal = applied.result.refusal {
            // Another leader launched this tick, or the job was stopped or purged meanwhile: nothing to do.
            guard refusal.code == .failedPrecondition || refusal.code == .notFound else { throw refusal }
            logger.debug("periodic launch refused", metadata: ["job": "\(job.id)", "reason": "\(refusal)"])
        } else if let running {
            logger.info(
                "periodic launch skipped: the previous child still runs",
                metadata: ["job": "\(job.id)", "running": "\(running)", "tick": "\(tick)"])
        } else {
            logger.info("periodic job launched", metadata: ["job": "\(job.id)", "child": "\(launch.child.id)"])
        }
    }

    /// A child of `job` that has not finished (an evaluation still open or an allocation not terminal).
    static func runningChild(of job: Caravan_V1_Job, in view: StateView) -> String? {
        for child in view.cluster.children(namespace: job.namespace, parentID: job.id) where !child.stop {
            let evals = view.cluster.evaluations(namespace: child.namespace, jobID: child.id)
            let allocs = view.cluster.allocations(namespace: child.namespace, jobID: child.id)
            if evals.contains(where: { $0.status == .pending || $0.status == .blocked })
                || allocs.contains(where: { !$0.isTerminal })
            {
                return child.id
            }
        }
        return nil
    }
}
