import CaravanProto
import Foundation
import Scheduler

/// Renders `ctl job status` the way `nomad job status` does: a job list, or one job with its summary, placement
/// failures and allocations.
enum JobStatusFormatter {
    /// Everything `job status JOB` shows, fetched by the command and rendered here.
    struct Detail: Sendable {
        var job: Caravan_V1_Job
        var summary: Caravan_V1_JobSummary
        var evaluations: [Caravan_V1_Evaluation]
        var allocations: [Caravan_V1_AllocationListStub]
        /// The job's newest deployment, if it ever had one.
        var latestDeployment: Caravan_V1_Deployment? = nil
        /// Jobs launched or dispatched from this one (periodic and parameterized parents only).
        var children: [Caravan_V1_JobListStub] = []
    }

    /// One row per job; "No running jobs" when there are none.
    static func list(_ jobs: [Caravan_V1_JobListStub]) -> String {
        guard !jobs.isEmpty else { return "No running jobs" }
        let rows = jobs.map { job in
            [
                job.id, StatusNames.jobType(job.type), "\(job.priority)", StatusNames.job(job.status),
                DisplayText.time(job.submitTime),
            ]
        }
        return ColumnTable.render(header: ["ID", "Type", "Priority", "Status", "Submit Date"], rows: rows)
    }

    /// The job header, Summary, Placement Failure (when some allocations still wait), Latest Deployment (when
    /// the job has one) and Allocations; for periodic and parameterized parents, the header and their children.
    static func detail(_ detail: Detail, now: Date, verbose: Bool = false) -> String {
        let job = detail.job
        var sections = [
            KeyValueTable.render([
                ("ID", job.id),
                ("Name", job.name),
                ("Submit Date", DisplayText.time(job.submitTime)),
                ("Type", StatusNames.jobType(job.type)),
                ("Priority", "\(job.priority)"),
                ("Datacenters", job.datacenters.joined(separator: ",")),
                ("Namespace", job.namespace.isEmpty ? "default" : job.namespace),
                ("Status", StatusNames.job(job.status)),
                ("Version", "\(job.version)"),
            ])
        ]
        if job.hasPeriodic || job.hasParameterized {
            return (sections + JobStatusChildren.sections(parent: job, children: detail.children))
                .joined(separator: "\n\n")
        }
        sections.append("Summary\n" + summaryTable(job: job, summary: detail.summary))
        let failures = placementFailureLines(evaluations: detail.evaluations, summary: detail.summary)
        if !failures.isEmpty {
            sections.append((["Placement Failure"] + failures).joined(separator: "\n"))
        }
        if let deployment = detail.latestDeployment {
            sections.append(DeploymentFormatter.latest(deployment, verbose: verbose))
        }
        sections.append("Allocations\n" + allocationTable(detail.allocations, now: now, verbose: verbose))
        return sections.joined(separator: "\n\n")
    }

    /// Queued, Starting, Running, Failed, Complete and Lost per task group, in the job's group order.
    static func summaryTable(job: Caravan_V1_Job, summary: Caravan_V1_JobSummary) -> String {
        let ordered = job.taskGroups.map(\.name)
        let names = ordered + summary.summary.keys.filter { !ordered.contains($0) }.sorted()
        let rows = names.map { name in
            let counts = summary.summary[name] ?? Caravan_V1_TaskGroupSummary()
            return [name]
                + [counts.queued, counts.starting, counts.running, counts.failed, counts.complete, counts.lost]
                .map { "\($0)" }
        }
        let header = ["Task Group", "Queued", "Starting", "Running", "Failed", "Complete", "Lost"]
        return ColumnTable.render(header: header, rows: rows)
    }

    /// `Task Group "db": 2 nodes excluded by host volume mysql`, from the newest evaluation with placement
    /// failures, but only while allocations still wait (a blocked evaluation exists or the summary counts queued
    /// ones), so failures that later resolved are not shown, as Nomad does.
    static func placementFailureLines(
        evaluations: [Caravan_V1_Evaluation], summary: Caravan_V1_JobSummary
    ) -> [String] {
        let waiting =
            evaluations.contains { $0.status == .blocked } || summary.summary.values.contains { $0.queued > 0 }
        let failed = evaluations.filter { !$0.failedTgAllocs.isEmpty }
        guard waiting, let latest = failed.max(by: { $0.createIndex < $1.createIndex }) else { return [] }
        return latest.failedTgAllocs.sorted { $0.key < $1.key }.flatMap { group, metric in
            PlacementFailureText.lines(for: metric).map { "Task Group \"\(group)\": \($0)" }
        }
    }

    /// ID, Node ID, Task Group, Version, Desired, Status, Created; newest first. "No allocations placed" if none.
    static func allocationTable(_ allocations: [Caravan_V1_AllocationListStub], now: Date, verbose: Bool) -> String {
        guard !allocations.isEmpty else { return "No allocations placed" }
        let rows = allocations.sorted { $0.createIndex > $1.createIndex }.map { alloc in
            [
                DisplayText.shortID(alloc.id, verbose: verbose), DisplayText.shortID(alloc.nodeID, verbose: verbose),
                alloc.taskGroup, "\(alloc.jobVersion)", StatusNames.desired(alloc.desiredStatus),
                StatusNames.client(alloc.clientStatus), DisplayText.ago(alloc.createTime, now: now),
            ]
        }
        let header = ["ID", "Node ID", "Task Group", "Version", "Desired", "Status", "Created"]
        return ColumnTable.render(header: header, rows: rows)
    }
}
