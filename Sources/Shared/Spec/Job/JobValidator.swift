import CaravanProto
import Foundation
import HCL
import SwiftProtobuf

/// Checks a defaulted job as Nomad's job validation does: ranges, job-type rules and references between stanzas.
///
/// It works on the protobuf, so HCL and JSON input get the same checks; `sources` turns a part of the job into
/// a position in the file (the start of the file for JSON).
struct JobValidator {
    let sources: JobSourceMap
    var diagnostics: DiagnosticCollector

    /// `diagnostics` holds what was found before validation, such as the decoder's errors.
    init(sources: JobSourceMap, diagnostics: DiagnosticCollector = DiagnosticCollector()) {
        self.sources = sources
        self.diagnostics = diagnostics
    }

    mutating func error(_ message: String, _ path: String, _ key: String? = nil) {
        diagnostics.add(message, at: sources.range(path, key))
    }

    /// Reports that `key` is missing, unless it was written and failed to decode, which is already reported.
    mutating func missing(_ message: String, _ path: String, _ key: String) {
        guard sources.ranges[path + "#" + key] == nil else { return }
        error(message, path)
    }

    mutating func validate(_ job: Caravan_V1_Job) {
        let path = JobSourceMap.job
        if job.id.isEmpty {
            missing("the job needs a name: write job \"name\" { ... }", path, "label")
        } else if job.id.contains(where: { $0 == " " || $0 == "\0" }) {
            error("job name \(quoted(job.id)) must not contain spaces or null characters", path)
        }
        if !(1...100).contains(job.priority) {
            error("job priority must be between 1 and 100, but it is \(job.priority)", path, "priority")
        }
        if job.type != .batch {
            if job.hasPeriodic {
                error(
                    "a periodic block is only allowed in batch jobs, and this is a \(typeName(job.type)) job",
                    path + "/periodic")
            }
            if job.hasParameterized {
                error(
                    "a parameterized block is only allowed in batch jobs, and this is a \(typeName(job.type)) job",
                    path + "/parameterized")
            }
        }
        if job.hasPeriodic { validatePeriodic(job.periodic, path: path + "/periodic") }
        if job.hasParameterized {
            for key in Set(job.parameterized.metaRequired).intersection(job.parameterized.metaOptional).sorted() {
                error(
                    "meta key \(quoted(key)) cannot be both required and optional", path + "/parameterized",
                    "meta_optional")
            }
        }
        if job.type == .batch && job.hasUpdate {
            error(
                "a batch job does not allow an update block; deployments only apply to service and system jobs",
                path + "/update")
        } else if job.hasUpdate {
            validateUpdate(job.update, path: path + "/update")
        }
        validatePlacement(job.constraints, job.affinities, job.spreads, owner: path)
        if job.taskGroups.isEmpty {
            error("job \(quoted(job.name)) needs at least one group \"name\" { task \"name\" { ... } } block", path)
        }
        var groupNames: [String: Int] = [:]
        for (index, group) in job.taskGroups.enumerated() {
            let groupPath = JobSourceMap.child(path, "group", index)
            if let first = groupNames[group.name], !group.name.isEmpty {
                error(
                    "duplicate group \(quoted(group.name)); group names must be unique in a job (the first is "
                        + "group \(first + 1))", groupPath)
            } else {
                groupNames[group.name] = index
            }
            validate(group, path: groupPath, job: job)
        }
    }

    func typeName(_ type: Caravan_V1_JobType) -> String {
        switch type {
        case .batch: "batch"
        case .system: "system"
        default: "service"
        }
    }

    mutating func validatePeriodic(_ periodic: Caravan_V1_PeriodicConfig, path: String) {
        if periodic.crons.isEmpty {
            error("a periodic block needs cron = \"<expression>\" or crons = [...]", path)
        }
        for cron in periodic.crons {
            do {
                _ = try CronSchedule(parsing: cron)
            } catch {
                let key = sources.ranges[path + "#cron"] != nil ? "cron" : "crons"
                self.error("invalid cron expression \(quoted(cron)): \(error.description)", path, key)
            }
        }
        if !periodic.timeZone.isEmpty && TimeZone(identifier: periodic.timeZone) == nil {
            error("unknown time_zone \(quoted(periodic.timeZone))", path, "time_zone")
        }
    }

    mutating func validateUpdate(_ update: Caravan_V1_UpdateStrategy, path: String) {
        if update.maxParallel < 0 {
            error("update max_parallel must be 0 or more, but it is \(update.maxParallel)", path, "max_parallel")
        }
        if update.canary < 0 { error("update canary must be 0 or more, but it is \(update.canary)", path, "canary") }
        if !["checks", "task_states", "manual"].contains(update.healthCheck) {
            error(
                "update health_check must be \"checks\", \"task_states\" or \"manual\", but it is "
                    + quoted(update.healthCheck), path, "health_check")
        }
        if update.autoPromote && update.canary == 0 {
            error("update auto_promote needs canary set to 1 or more", path, "auto_promote")
        }
        if update.minHealthyTime.nanoseconds >= update.healthyDeadline.nanoseconds {
            error(
                "update min_healthy_time (\(update.minHealthyTime.text)) must be less than healthy_deadline "
                    + "(\(update.healthyDeadline.text))", path, "min_healthy_time")
        }
        if update.progressDeadline.nanoseconds != 0
            && update.progressDeadline.nanoseconds < update.healthyDeadline.nanoseconds
        {
            error(
                "update progress_deadline (\(update.progressDeadline.text)) must be 0 or at least healthy_deadline "
                    + "(\(update.healthyDeadline.text))", path, "progress_deadline")
        }
        for (key, value) in [("stagger", update.stagger), ("min_healthy_time", update.minHealthyTime)]
        where value.nanoseconds < 0 {
            error("update \(key) must not be negative", path, key)
        }
    }
}

extension Google_Protobuf_Duration {
    /// Total nanoseconds, saturating instead of overflowing.
    var nanoseconds: Int64 {
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, overflowAdd) = scaled.addingReportingOverflow(Int64(nanos))
        return overflowAdd ? .max : total
    }

    /// Go-style text for messages: `30s`, `1m30s`, `1.5s`.
    var text: String {
        let total = nanoseconds
        if total == 0 { return "0s" }
        if total % 1_000_000_000 != 0 { return "\(Double(total) / 1e9)s" }
        var seconds = total / 1_000_000_000
        var result = seconds < 0 ? "-" : ""
        seconds = abs(seconds)
        if seconds >= 3600 { result += "\(seconds / 3600)h" }
        if seconds % 3600 >= 60 { result += "\(seconds % 3600 / 60)m" }
        if seconds % 60 != 0 { result += "\(seconds % 60)s" }
        return result
    }
}
