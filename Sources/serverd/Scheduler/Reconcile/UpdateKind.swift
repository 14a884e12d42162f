import CaravanProto

/// Whether an allocation running an older job version can be updated in place or must be replaced.
enum UpdateKind: Equatable {
    /// Same job version: nothing to do.
    case unchanged
    /// Only the count (or nothing that matters to a running allocation) changed: bump the version in place.
    case inPlace
    /// The group changed: stop the allocation and place a new one.
    case destructive

    /// Compares the group at the allocation's job version with the current one, ignoring `count`. Job-level
    /// placement settings (datacenters, pool, constraints, affinities, spreads, meta) count as the group's.
    /// A version no longer stored is destructive.
    static func of(
        _ allocation: Caravan_V1_Allocation, job: Caravan_V1_Job, group: Caravan_V1_TaskGroup,
        state: any SchedulerState
    ) -> UpdateKind {
        guard allocation.jobVersion != job.version else { return .unchanged }
        guard let old = state.job(namespace: job.namespace, id: job.id, version: allocation.jobVersion),
            let oldGroup = old.taskGroups.first(where: { $0.name == group.name })
        else { return .destructive }
        var before = oldGroup
        var after = group
        before.clearCount()
        after.clearCount()
        guard before == after else { return .destructive }
        let jobLevelSame =
            old.datacenters == job.datacenters && old.nodePool == job.nodePool && old.constraints == job.constraints
            && old.affinities == job.affinities && old.spreads == job.spreads && old.meta == job.meta
        return jobLevelSame ? .inPlace : .destructive
    }
}
