import CaravanProto
import Foundation

/// Decides, for one task group of a service or batch job, what to stop, update, place and reschedule later.
///
/// A simplified form of Nomad's allocation reconciler. Every allocation that still matters occupies one name
/// index ("<job>.<group>[i]"); replacements inherit the index of what they replace, new placements take the
/// lowest free ones, and a lower count stops the highest indexes.
///
/// Groups with an `update` block roll out new versions through a deployment: destructive updates go
/// `max_parallel` at a time (each slot frees when its replacement is reported healthy), and with `canary = N`
/// the first N new-version allocations are placed beside the old ones, under the names they will take over,
/// until the deployment is promoted.
struct Reconciler {
    /// One allocation to create.
    struct Placement {
        var name: String
        /// The allocation being replaced, if any.
        var previous: Caravan_V1_Allocation?
        /// Stop `previous` only if the replacement is placed (destructive updates).
        var stopsPreviousOnSuccess: Bool = false
        /// A reschedule of a failed allocation: records a reschedule event and avoids its node.
        var rescheduleDelay: TimeInterval?
        /// A canary of the deployment: placed beside the allocation it will replace once promoted.
        var canary = false
    }

    /// What this group asks of the job's deployment.
    struct DeploymentNeed {
        var desiredTotal: Int
        var desiredCanaries: Int
        /// A new deployment is warranted: the version changes what runs, or nothing of this version ran yet.
        var wantsNew: Bool
    }

    struct Stop {
        var allocation: Caravan_V1_Allocation
        var description: String
        var clientStatus: Caravan_V1_AllocClientStatus = .unspecified
    }

    struct Delayed {
        var allocation: Caravan_V1_Allocation
        var at: Date
    }

    struct Result {
        var stops: [Stop] = []
        var inPlace: [Caravan_V1_Allocation] = []
        var placements: [Placement] = []
        var delayed: [Delayed] = []
        var updates = Caravan_V1_DesiredUpdates()
        var deployment: DeploymentNeed?
    }

    private enum Slot {
        case running(Caravan_V1_Allocation)
        case lost(Caravan_V1_Allocation)
        case migrating(Caravan_V1_Allocation)
        case rescheduleNow(Caravan_V1_Allocation, delay: TimeInterval)
        case rescheduleLater(Caravan_V1_Allocation, at: Date, needsFollowup: Bool)
        /// Occupies its index without needing anything: a finished batch allocation, or a failed one whose
        /// reschedule attempts are used up.
        case done(Caravan_V1_Allocation)

        var allocation: Caravan_V1_Allocation {
            switch self {
            case .running(let a), .lost(let a), .migrating(let a), .rescheduleNow(let a, _),
                .rescheduleLater(let a, _, _), .done(let a):
                return a
            }
        }
    }

    static let lostDescription = "alloc is lost since its node is down"
    static let migrateDescription = "alloc is being migrated"
    static let rescheduledDescription = "alloc was rescheduled because it failed"
    static let notNeededDescription = "alloc not needed due to job update"
    static let updateDescription = "alloc is being updated due to job update"

    let context: PlanContext
    let group: Caravan_V1_TaskGroup

    func reconcile(_ allocations: [Caravan_V1_Allocation]) -> Result {
        let job = context.job
        let isBatch = context.evaluation.type == "batch" || job.type == .batch
        let rule = RescheduleRule(group: group, jobType: isBatch ? "batch" : "service")
        let rollout = context.rollout
        let strategy = isBatch ? nil : RolloutStrategy(group: group, job: job)
        var result = Result()
        var (canaries, rest) = separateCanaries(allocations, rollout: rollout, result: &result)
        if rollout.promoted(group.name) { rest = retireReplaced(rest, by: allocations, result: &result) }
        var slots: [Slot] = []
        for allocation in rest {
            if let slot = classify(allocation, rule: rule, isBatch: isBatch) { slots.append(slot) }
        }
        // Highest index first, so a lower count stops the newest names.
        slots.sort { ($0.allocation.nameIndex ?? Int.max) > ($1.allocation.nameIndex ?? Int.max) }
        let count = group.desiredCount
        let extra = max(0, slots.count - count)
        for slot in slots.prefix(extra) {
            switch slot {
            case .running(let allocation), .migrating(let allocation):
                result.stops.append(Stop(allocation: allocation, description: Self.notNeededDescription))
                result.updates.stop += 1
            case .lost(let allocation):
                result.stops.append(
                    Stop(allocation: allocation, description: Self.lostDescription, clientStatus: .lost))
                result.updates.stop += 1
            case .rescheduleNow, .rescheduleLater, .done:
                result.updates.ignore += 1
            }
        }
        let kept = Array(slots.dropFirst(extra).reversed())
        var destructive: [Caravan_V1_Allocation] = []
        for slot in kept {
            apply(slot, to: &result, destructive: &destructive)
        }
        rollOut(destructive, canaries: &canaries, strategy: strategy, allocations: allocations, result: &result)
        if let strategy {
            let updating = !destructive.isEmpty || !result.inPlace.isEmpty
            let ranThisVersion = allocations.contains { $0.jobVersion == job.version }
            result.deployment = DeploymentNeed(
                desiredTotal: count,
                desiredCanaries: desiredCanaries(strategy, destructive: destructive, canaries: canaries),
                wantsNew: count > 0 && (updating || !ranThisVersion))
        }
        var used = Set(kept.compactMap(\.allocation.nameIndex))
        var next = 0
        for _ in 0..<max(0, count - kept.count) {
            while used.contains(next) { next += 1 }
            used.insert(next)
            result.placements.append(Placement(name: Self.name(job: job.id, group: group.name, index: next)))
            result.updates.place += 1
        }
        return result
    }

    static func name(job: String, group: String, index: Int) -> String {
        "\(job).\(group)[\(index)]"
    }

    private func classify(_ allocation: Caravan_V1_Allocation, rule: RescheduleRule, isBatch: Bool) -> Slot? {
        if !allocation.isTerminal {
            guard let node = context.node(id: allocation.nodeID), node.status != .down else {
                return .lost(allocation)
            }
            // On a draining node the leader's drainer marks allocations at the pace of the group's `migrate`
            // block; only the marked ones move.
            if allocation.desiredTransition.migrate { return .migrating(allocation) }
            return .running(allocation)
        }
        guard allocation.desiredStatus == .run || allocation.desiredStatus == .unspecified else { return nil }
        switch allocation.clientStatus {
        case .complete:
            return isBatch ? .done(allocation) : nil
        case .failed:
            guard allocation.nextAllocation.isEmpty else { return nil }
            // A failure inside a running deployment fails the deployment instead of being rescheduled.
            if let active = context.rollout.active, allocation.deploymentID == active.id,
                !allocation.desiredTransition.reschedule
            {
                return .done(allocation)
            }
            switch rule.decide(for: allocation, now: context.now) {
            case .now(let delay):
                return .rescheduleNow(allocation, delay: delay)
            case .later(let at, _):
                let waiting = !allocation.followupEvalID.isEmpty && allocation.followupEvalID != context.evaluation.id
                return .rescheduleLater(allocation, at: at, needsFollowup: !waiting)
            case .never:
                return .done(allocation)
            }
        default:
            return nil
        }
    }

    private func apply(_ slot: Slot, to result: inout Result, destructive: inout [Caravan_V1_Allocation]) {
        switch slot {
        case .running(let allocation):
            switch UpdateKind.of(allocation, job: context.job, group: group, state: context.state) {
            case .unchanged:
                result.updates.ignore += 1
            case .inPlace:
                var updated = allocation
                updated.jobVersion = context.job.version
                updated.evalID = context.evaluation.id
                updated.clearJob()
                result.inPlace.append(updated)
                result.updates.inPlaceUpdate += 1
            case .destructive:
                destructive.append(allocation)
            }
        case .lost(let allocation):
            result.stops.append(Stop(allocation: allocation, description: Self.lostDescription, clientStatus: .lost))
            result.placements.append(Placement(name: allocation.name, previous: allocation))
            result.updates.stop += 1
            result.updates.place += 1
        case .migrating(let allocation):
            result.stops.append(Stop(allocation: allocation, description: Self.migrateDescription))
            result.placements.append(Placement(name: allocation.name, previous: allocation))
            result.updates.migrate += 1
        case .rescheduleNow(let allocation, let delay):
            result.stops.append(Stop(allocation: allocation, description: Self.rescheduledDescription))
            result.placements.append(Placement(name: allocation.name, previous: allocation, rescheduleDelay: delay))
            result.updates.place += 1
        case .rescheduleLater(let allocation, let at, let needsFollowup):
            if needsFollowup { result.delayed.append(Delayed(allocation: allocation, at: at)) }
            result.updates.ignore += 1
        case .done:
            result.updates.ignore += 1
        }
    }
}
