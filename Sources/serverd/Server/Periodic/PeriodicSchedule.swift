import CaravanProto
import Foundation
import Spec

/// A periodic job's crons and time zone, read once: the ticks it launches children on.
struct PeriodicSchedule: Sendable {
    let crons: [CronSchedule]
    let timeZone: TimeZone

    /// Nil (with the reason) when the job is not periodic, disabled, or its spec does not parse; validation
    /// refuses such jobs at registration, so this only guards state written by an older server.
    static func of(_ job: Caravan_V1_Job) -> Result<PeriodicSchedule, PeriodicScheduleError>? {
        guard job.hasPeriodic, job.periodic.enabled, !job.stop, job.parentID.isEmpty else { return nil }
        let zoneName = job.periodic.timeZone.isEmpty ? "UTC" : job.periodic.timeZone
        guard let zone = TimeZone(identifier: zoneName) else {
            return .failure(PeriodicScheduleError(description: "unknown time_zone \"\(zoneName)\""))
        }
        var crons: [CronSchedule] = []
        for expression in job.periodic.crons {
            do {
                crons.append(try CronSchedule(parsing: expression))
            } catch {
                return .failure(
                    PeriodicScheduleError(description: "invalid cron expression \"\(expression)\": \(error)"))
            }
        }
        guard !crons.isEmpty else { return .failure(PeriodicScheduleError(description: "no cron expression")) }
        return .success(PeriodicSchedule(crons: crons, timeZone: zone))
    }

    /// The earliest tick of any cron strictly after `date`.
    func next(after date: Date) -> Date? {
        crons.compactMap { $0.next(after: date, in: timeZone) }.min()
    }

    /// The latest tick after `last` and not after `now`: the one launch owed after a pause (an election, a
    /// stopped leader); older missed ticks are not launched one by one.
    func latestDueTick(after last: Date, notAfter now: Date) -> Date? {
        var due: Date?
        var cursor = last
        // Bounded: a leader away for long with a per-second cron still finds its latest tick quickly enough.
        for _ in 0..<10_000 {
            guard let tick = next(after: cursor), tick <= now else { return due }
            due = tick
            cursor = tick
        }
        return due
    }
}

struct PeriodicScheduleError: Error, CustomStringConvertible {
    let description: String
}

/// The child a periodic job launches for one tick: a copy of the parent under `<parent>/periodic-<unix seconds>`,
/// no longer periodic, with the evaluation that schedules it.
enum PeriodicChild {
    static func make(parent: Caravan_V1_Job, tick: Date, at time: Date) -> (Caravan_V1_Job, Caravan_V1_Evaluation) {
        var child = parent
        child.id = "\(parent.id)/periodic-\(Int(tick.timeIntervalSince1970))"
        child.name = child.id
        child.parentID = parent.id
        child.clearPeriodic()
        child.status = .unspecified
        child.statusDescription = ""
        child.version = 0
        child.stable = false
        child.createIndex = 0
        child.modifyIndex = 0
        child.jobModifyIndex = 0
        let eval = EvalFactory.evaluation(for: child, trigger: .periodicJob, at: time)
        return (child, eval)
    }
}
