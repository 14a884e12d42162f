import CaravanProto

/// The deployment side of reconciling a group: canaries kept apart until promotion, the allocations promoted
/// canaries take over, and how many destructive updates this pass may start.
extension Reconciler {
    static let canaryReplacedDescription = "alloc not needed as it was replaced by a promoted canary"
    static let canaryAbandonedDescription = "alloc not needed since its deployment ended without promoting it"

    /// Splits the group's allocations: canaries still waiting for promotion, and the rest. Canaries of a
    /// deployment that ended without promoting them are stopped; ended canaries occupy nothing.
    func separateCanaries(_ allocations: [Caravan_V1_Allocation], rollout: Rollout, result: inout Result)
        -> (canaries: [Caravan_V1_Allocation], rest: [Caravan_V1_Allocation])
    {
        var canaries: [Caravan_V1_Allocation] = []
        var rest: [Caravan_V1_Allocation] = []
        for allocation in allocations {
            if rollout.isPendingCanary(allocation) {
                if !allocation.isTerminal { canaries.append(allocation) }
            } else if allocation.deploymentStatus.canary && rollout.isAbandonedCanary(allocation) {
                if !allocation.isTerminal {
                    result.stops.append(Stop(allocation: allocation, description: Self.canaryAbandonedDescription))
                    result.updates.stop += 1
                }
            } else {
                rest.append(allocation)
            }
        }
        return (canaries, rest)
    }

    /// Once canaries are promoted, the older allocations holding their names are stopped: each canary takes
    /// over the name (and slot) of the allocation it was placed beside.
    func retireReplaced(
        _ rest: [Caravan_V1_Allocation], by allocations: [Caravan_V1_Allocation], result: inout Result
    ) -> [Caravan_V1_Allocation] {
        guard let current = context.rollout.current else { return rest }
        let promotedNames = Set(
            allocations.filter {
                !$0.isTerminal && $0.deploymentStatus.canary && $0.deploymentID == current.id
            }.map(\.name))
        guard !promotedNames.isEmpty else { return rest }
        return rest.filter { allocation in
            let replaced =
                !allocation.isTerminal && promotedNames.contains(allocation.name)
                && !(allocation.deploymentStatus.canary && allocation.deploymentID == current.id)
            if replaced {
                result.stops.append(Stop(allocation: allocation, description: Self.canaryReplacedDescription))
                result.updates.stop += 1
            }
            return !replaced
        }
    }

    /// Turns the allocations that need a destructive update into placements, as many as the rollout allows:
    /// none while paused, failed or waiting for canaries (which are placed instead), `max_parallel` minus the
    /// deployment's allocations not yet healthy otherwise, and all of them without an `update` block.
    func rollOut(
        _ destructive: [Caravan_V1_Allocation], canaries: inout [Caravan_V1_Allocation], strategy: RolloutStrategy?,
        allocations: [Caravan_V1_Allocation], result: inout Result
    ) {
        guard !destructive.isEmpty else { return }
        let rollout = context.rollout
        let ordered = destructive.sorted { ($0.nameIndex ?? Int.max) < ($1.nameIndex ?? Int.max) }
        var limit = ordered.count
        if let strategy {
            if rollout.halted {
                limit = 0
            } else if strategy.canary > 0 && !rollout.promoted(group.name) {
                placeCanaries(strategy.canary, beside: ordered, existing: canaries, result: &result)
                limit = 0
            } else {
                limit = rollingLimit(strategy, allocations: allocations)
            }
        }
        for (position, allocation) in ordered.enumerated() {
            if position < limit {
                result.placements.append(
                    Placement(name: allocation.name, previous: allocation, stopsPreviousOnSuccess: true))
                result.updates.destructiveUpdate += 1
            } else {
                result.updates.ignore += 1
            }
        }
    }

    /// Canaries take the names of the allocations they will replace, lowest index first.
    private func placeCanaries(
        _ wanted: Int, beside ordered: [Caravan_V1_Allocation], existing: [Caravan_V1_Allocation],
        result: inout Result
    ) {
        let missing = wanted - existing.count
        guard missing > 0 else { return }
        let taken = Set(existing.map(\.name))
        for allocation in ordered.filter({ !taken.contains($0.name) }).prefix(missing) {
            result.placements.append(Placement(name: allocation.name, canary: true))
            result.updates.canary += 1
        }
    }

    /// `max_parallel` minus the deployment's live allocations whose health is not decided; zero as soon as one
    /// of them is unhealthy (the deployment is about to fail).
    private func rollingLimit(_ strategy: RolloutStrategy, allocations: [Caravan_V1_Allocation]) -> Int {
        guard let active = context.rollout.active else { return strategy.maxParallel }
        var limit = strategy.maxParallel
        for allocation in allocations where !allocation.isTerminal && allocation.deploymentID == active.id {
            if allocation.deploymentStatus.hasHealthy {
                if !allocation.deploymentStatus.healthy { return 0 }
            } else {
                limit -= 1
            }
        }
        return max(0, limit)
    }

    /// Canaries the deployment asks for: the strategy's while they are needed or placed, what was asked before
    /// once promoted, none otherwise.
    func desiredCanaries(
        _ strategy: RolloutStrategy, destructive: [Caravan_V1_Allocation], canaries: [Caravan_V1_Allocation]
    ) -> Int {
        let rollout = context.rollout
        if rollout.promoted(group.name) {
            return Int(rollout.current?.taskGroups[group.name]?.desiredCanaries ?? 0)
        }
        return destructive.isEmpty && canaries.isEmpty ? 0 : strategy.canary
    }
}
