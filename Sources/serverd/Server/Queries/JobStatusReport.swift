import CaravanProto
import Scheduler
import State

/// A job's status and per-group summary, computed from its allocations and evaluations when read, so they
/// can never disagree with the tables they summarize.
enum JobStatusReport {
    static func status(of job: Caravan_V1_Job, in cluster: ClusterState) -> Caravan_V1_JobStatus {
        status(of: job, records: JobRecords(job, in: cluster))
    }

    /// A job's allocations and evaluations, read once for its status and summary together.
    struct JobRecords {
        let allocs: [Caravan_V1_Allocation]
        let evals: [Caravan_V1_Evaluation]

        init(_ job: Caravan_V1_Job, in cluster: ClusterState) {
            allocs = cluster.allocations(namespace: job.namespace, jobID: job.id)
            evals = cluster.evaluations(namespace: job.namespace, jobID: job.id)
        }
    }

    static func status(of job: Caravan_V1_Job, records: JobRecords) -> Caravan_V1_JobStatus {
        if records.allocs.contains(where: { !$0.isTerminal }) { return .running }
        if job.stop { return .dead }
        if records.evals.contains(where: { $0.status == .pending || $0.status == .blocked }) { return .pending }
        return records.allocs.isEmpty ? .pending : .dead
    }

    static func withStatus(_ job: Caravan_V1_Job, in cluster: ClusterState) -> Caravan_V1_Job {
        var job = job
        job.status = status(of: job, in: cluster)
        return job
    }

    static func summary(of job: Caravan_V1_Job, in cluster: ClusterState) -> Caravan_V1_JobSummary {
        summary(of: job, records: JobRecords(job, in: cluster))
    }

    static func summary(of job: Caravan_V1_Job, records: JobRecords) -> Caravan_V1_JobSummary {
        var summary = Caravan_V1_JobSummary()
        summary.jobID = job.id
        summary.namespace = job.namespace
        summary.createIndex = job.createIndex
        summary.modifyIndex = job.modifyIndex
        for group in job.taskGroups { summary.summary[group.name] = Caravan_V1_TaskGroupSummary() }
        for alloc in records.allocs {
            var counts = summary.summary[alloc.taskGroup] ?? Caravan_V1_TaskGroupSummary()
            switch alloc.clientStatus {
            case .running: counts.running += 1
            case .complete: counts.complete += 1
            case .failed: counts.failed += 1
            case .lost: counts.lost += 1
            case .unknown: counts.unknown += 1
            default: if alloc.desiredStatus == .run { counts.starting += 1 }
            }
            summary.summary[alloc.taskGroup] = counts
        }
        let latest = records.evals
            .filter { $0.status == .blocked || $0.status == .complete }
            .max { $0.createIndex < $1.createIndex }
        for (group, queued) in latest?.queuedAllocations ?? [:] {
            summary.summary[group, default: Caravan_V1_TaskGroupSummary()].queued = queued
        }
        return summary
    }

    static func stub(of job: Caravan_V1_Job, in cluster: ClusterState) -> Caravan_V1_JobListStub {
        var stub = Caravan_V1_JobListStub()
        stub.id = job.id
        stub.parentID = job.parentID
        stub.name = job.name
        stub.namespace = job.namespace
        stub.datacenters = job.datacenters
        stub.type = job.type
        stub.priority = job.priority
        stub.periodic = job.hasPeriodic
        stub.parameterized = job.hasParameterized
        stub.stop = job.stop
        let records = JobRecords(job, in: cluster)
        stub.status = status(of: job, records: records)
        stub.version = job.version
        stub.summary = summary(of: job, records: records)
        stub.submitTime = job.submitTime
        stub.createIndex = job.createIndex
        stub.modifyIndex = job.modifyIndex
        stub.jobModifyIndex = job.jobModifyIndex
        return stub
    }
}

extension Caravan_V1_Allocation {
    /// The list form of an allocation, as tables and `ctl` lists show it.
    var listStub: Caravan_V1_AllocationListStub {
        var stub = Caravan_V1_AllocationListStub()
        stub.id = id
        stub.namespace = namespace
        stub.evalID = evalID
        stub.name = name
        stub.nodeID = nodeID
        stub.nodeName = nodeName
        stub.jobID = jobID
        stub.jobVersion = jobVersion
        stub.taskGroup = taskGroup
        stub.desiredStatus = desiredStatus
        stub.desiredDescription = desiredDescription
        stub.clientStatus = clientStatus
        stub.clientDescription = clientDescription
        stub.taskStates = taskStates
        stub.deploymentID = deploymentID
        stub.followupEvalID = followupEvalID
        stub.nextAllocation = nextAllocation
        stub.createIndex = createIndex
        stub.modifyIndex = modifyIndex
        stub.createTime = createTime
        stub.modifyTime = modifyTime
        return stub
    }
}
