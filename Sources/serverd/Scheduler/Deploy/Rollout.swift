import CaravanProto

/// What the scheduler knows about the rollout of the job version it schedules: the deployment of that version
/// (if any), whether it may make progress, and how each group's canaries stand.
///
/// Built once per scheduling pass from the job's latest deployment. A deployment of an older version (or of
/// an earlier job registered under the same id) is not the current one: the plan cancels it if it still runs.
struct Rollout {
    /// The latest deployment of the version being scheduled, whatever its status.
    let current: Caravan_V1_Deployment?
    /// A still-active deployment of an older version, which this plan cancels.
    let superseded: Caravan_V1_Deployment?
    let state: any SchedulerState

    init(job: Caravan_V1_Job, state: any SchedulerState) {
        self.state = state
        let latest = state.latestDeployment(namespace: job.namespace, jobID: job.id)
        if let latest, latest.jobVersion == job.version, latest.jobCreateIndex == job.createIndex {
            current = latest
            superseded = nil
        } else {
            current = nil
            superseded = latest.flatMap { $0.isRollingOut ? $0 : nil }
        }
    }

    /// The current deployment still rolls out: new allocations join it.
    var active: Caravan_V1_Deployment? {
        guard let current, current.isRollingOut else { return nil }
        return current
    }

    /// Destructive updates and canaries wait: the rollout is paused, or it failed (until a revert or a new
    /// version).
    var halted: Bool {
        guard let current else { return false }
        return current.status == .paused || current.status == .failed || current.status == .cancelled
    }

    func promoted(_ group: String) -> Bool {
        current?.taskGroups[group]?.promoted ?? false
    }

    /// Whether `allocation` is a canary still waiting for promotion in the current deployment.
    func isPendingCanary(_ allocation: Caravan_V1_Allocation) -> Bool {
        guard allocation.deploymentStatus.canary, let active, allocation.deploymentID == active.id else {
            return false
        }
        return !(active.taskGroups[allocation.taskGroup]?.promoted ?? false)
    }

    /// A canary whose deployment ended without promoting it: it is stopped.
    func isAbandonedCanary(_ allocation: Caravan_V1_Allocation) -> Bool {
        guard allocation.deploymentStatus.canary, !isPendingCanary(allocation) else { return false }
        guard let deployment = state.deployment(id: allocation.deploymentID) else { return true }
        return !(deployment.taskGroups[allocation.taskGroup]?.promoted ?? false)
    }
}

extension Caravan_V1_Deployment {
    /// Running or paused (or waiting): not yet ended.
    public var isRollingOut: Bool {
        status == .running || status == .paused || status == .pending || status == .blocked
    }
}

/// A group's `update` block when it asks for deployments (service jobs, `max_parallel` above zero).
struct RolloutStrategy {
    let maxParallel: Int
    let canary: Int
    let update: Caravan_V1_UpdateStrategy

    init?(group: Caravan_V1_TaskGroup, job: Caravan_V1_Job) {
        guard job.type == .service || job.type == .unspecified, group.hasUpdate else { return nil }
        let parallel = group.update.hasMaxParallel ? Int(group.update.maxParallel) : 1
        guard parallel > 0 else { return nil }
        maxParallel = parallel
        canary = Int(max(0, group.update.canary))
        update = group.update
    }
}
