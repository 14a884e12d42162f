import CaravanProto
import CaravanRPC
import SwiftProtobuf

extension ClusterState {
    /// Registers or updates a job and its evaluation. A changed specification makes a new version; resubmitting
    /// the same one keeps the version (Nomad does the same) but still schedules.
    mutating func registerJob(_ command: Caravan_V1_RegisterJobCommand, index: UInt64, time: Google_Protobuf_Timestamp)
        throws -> Caravan_V1_Job
    {
        var job = command.job
        let key = Self.jobKey(namespace: job.namespace, id: job.id)
        let existing = jobs[key]
        if command.enforceIndex {
            let current = existing?.current.jobModifyIndex ?? 0
            guard current == command.jobModifyIndex else {
                throw CaravanError(
                    .failedPrecondition,
                    existing == nil
                        ? "job \"\(job.id)\" does not exist, but the check index is \(command.jobModifyIndex)"
                        : "job \"\(job.id)\" is at job modify index \(current), not \(command.jobModifyIndex); "
                            + "it changed since it was read")
            }
        }
        job.modifyIndex = index
        job.submitTime = time
        if let existing {
            job.createIndex = existing.current.createIndex
            if JobComparison.sameSpecification(existing.current, job) {
                job.version = existing.current.version
                job.jobModifyIndex = existing.current.jobModifyIndex
                job.stable = existing.current.stable
            } else {
                job.version = existing.current.version + 1
                job.jobModifyIndex = index
                job.stable = false
            }
        } else {
            job.createIndex = index
            job.jobModifyIndex = index
            job.version = 0
        }
        storeJob(job, key: key, previous: existing)
        touch(.jobs, at: index)
        if command.hasEval {
            var eval = command.eval
            eval.jobModifyIndex = job.jobModifyIndex
            upsertEvals([eval], index: index, time: time)
        }
        return job
    }

    /// Stops a job (a new, stopped version) or purges it with its versions; evaluations and allocations stay
    /// until they are garbage-collected, so `ctl job status` can still explain what happened.
    mutating func deregisterJob(
        _ command: Caravan_V1_DeregisterJobCommand, index: UInt64, time: Google_Protobuf_Timestamp
    ) throws {
        let key = Self.jobKey(namespace: command.namespace, id: command.jobID)
        guard let existing = jobs[key] else {
            throw CaravanError.notFound("job \"\(command.jobID)\" is not registered")
        }
        if command.purge {
            jobs[key] = nil
            periodicLaunches[key] = nil
            indexPeriodic(nil, key: key)
        } else if !existing.current.stop {
            var job = existing.current
            job.stop = true
            job.version += 1
            job.stable = false
            job.modifyIndex = index
            job.jobModifyIndex = index
            job.submitTime = time
            storeJob(job, key: key, previous: existing)
        }
        touch(.jobs, at: index)
        if command.hasEval { upsertEvals([command.eval], index: index, time: time) }
    }

    private mutating func storeJob(_ job: Caravan_V1_Job, key: String, previous: JobRecord?) {
        var versions = previous?.versions ?? []
        if let last = versions.last, last.version == job.version {
            versions[versions.count - 1] = job
        } else {
            versions.append(job)
        }
        if versions.count > Self.jobVersionsKept { versions.removeFirst(versions.count - Self.jobVersionsKept) }
        jobs[key] = JobRecord(current: job, versions: versions)
        indexPeriodic(job, key: key)
    }

    /// Keeps `periodicJobKeys` in step with the job stored under `key` (nil: removed).
    mutating func indexPeriodic(_ job: Caravan_V1_Job?, key: String) {
        if let job, job.hasPeriodic, job.parentID.isEmpty {
            periodicJobKeys.insert(key)
        } else {
            periodicJobKeys.remove(key)
        }
    }

    /// Creates or updates evaluations, stamping their indexes and times from the log entry.
    mutating func upsertEvals(_ updates: [Caravan_V1_Evaluation], index: UInt64, time: Google_Protobuf_Timestamp) {
        guard !updates.isEmpty else { return }
        for var eval in updates where !eval.id.isEmpty {
            if let existing = evals[eval.id] {
                eval.createIndex = existing.createIndex
                eval.createTime = existing.createTime
            } else {
                eval.createIndex = index
                if !eval.hasCreateTime { eval.createTime = time }
                let jobKey = Self.jobKey(namespace: eval.namespace, id: eval.jobID)
                evalsByJob.insert(eval.id, into: jobKey)
            }
            eval.modifyIndex = index
            eval.modifyTime = time
            evals[eval.id] = eval
            journal?.evals.append(eval)
        }
        touch(.evals, at: index)
    }
}

/// Decides whether a resubmitted job changed, ignoring what the server stamps on it.
public enum JobComparison {
    public static func sameSpecification(_ lhs: Caravan_V1_Job, _ rhs: Caravan_V1_Job) -> Bool {
        normalized(lhs) == normalized(rhs)
    }

    /// The job without what the server stamps on it (status, version, indexes, submit time).
    public static func normalized(_ job: Caravan_V1_Job) -> Caravan_V1_Job {
        var job = job
        job.status = .unspecified
        job.statusDescription = ""
        job.version = 0
        job.stable = false
        job.clearSubmitTime()
        job.createIndex = 0
        job.modifyIndex = 0
        job.jobModifyIndex = 0
        return job
    }
}
