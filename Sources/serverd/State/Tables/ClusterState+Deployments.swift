import CaravanProto
import CaravanRPC
import Foundation
import Scheduler
import SwiftProtobuf

extension ClusterState {
    public func deployment(id: String) -> Caravan_V1_Deployment? {
        deployments[id]
    }

    /// A job's deployments, newest first.
    public func deployments(namespace: String, jobID: String) -> [Caravan_V1_Deployment] {
        let ids = deploymentsByJob[Self.jobKey(namespace: namespace, id: jobID)] ?? []
        return ids.compactMap { deployments[$0] }.sorted(by: Self.newestFirst)
    }

    /// The job's most recent deployment, whatever its status.
    public func latestDeployment(namespace: String, jobID: String) -> Caravan_V1_Deployment? {
        deployments(namespace: namespace, jobID: jobID).first
    }

    /// Every deployment, newest first.
    public var allDeployments: [Caravan_V1_Deployment] {
        deployments.values.sorted(by: Self.newestFirst)
    }

    /// Deployments still rolling out (running or paused): what the leader's deployment watcher follows.
    public var activeDeployments: [Caravan_V1_Deployment] {
        rollingOutIDs.sorted().compactMap { deployments[$0] }
    }

    /// Keeps `rollingOutIDs` in step with a deployment just stored.
    mutating func indexRollout(_ deployment: Caravan_V1_Deployment) {
        if deployment.isRollingOut {
            rollingOutIDs.insert(deployment.id)
        } else {
            rollingOutIDs.remove(deployment.id)
        }
    }

    /// The version a failed deployment rolls back to: the newest stable version older than the deployment's,
    /// unless its specification equals the current job's (rolling back would change nothing). The job returned is
    /// ready to register (server-stamped fields are overwritten by the registration).
    public func rollbackTarget(for deployment: Caravan_V1_Deployment) -> Caravan_V1_Job? {
        let versions = jobVersions(namespace: deployment.namespace, id: deployment.jobID)
        guard let current = versions.last,
            let stable = versions.last(where: { $0.stable && $0.version < deployment.jobVersion }),
            !JobComparison.sameSpecification(stable, current)
        else { return nil }
        var target = stable
        target.stop = false
        return target
    }

    static func newestFirst(_ lhs: Caravan_V1_Deployment, _ rhs: Caravan_V1_Deployment) -> Bool {
        lhs.createIndex != rhs.createIndex ? lhs.createIndex > rhs.createIndex : lhs.id < rhs.id
    }

    /// A deployment created or updated by a plan. The counts the state keeps itself (placed, healthy and
    /// unhealthy allocations, placed canaries, promotion) are never taken from the plan: a plan built on an older
    /// snapshot must not undo what clients reported since.
    mutating func upsertDeployment(_ incoming: Caravan_V1_Deployment, index: UInt64, time: Google_Protobuf_Timestamp) {
        var deployment = incoming
        if let existing = deployments[deployment.id] {
            deployment.createIndex = existing.createIndex
            deployment.createTime = existing.createTime
            for (name, kept) in existing.taskGroups {
                var group = deployment.taskGroups[name] ?? kept
                group.placedAllocs = kept.placedAllocs
                group.healthyAllocs = kept.healthyAllocs
                group.unhealthyAllocs = kept.unhealthyAllocs
                group.placedCanaries = kept.placedCanaries
                group.promoted = kept.promoted
                if kept.hasRequireProgressBy { group.requireProgressBy = kept.requireProgressBy }
                deployment.taskGroups[name] = group
            }
            // A plan never revives a deployment that ended (or was paused) meanwhile.
            if !existing.isRollingOut || existing.status == .paused {
                deployment.status = existing.status
                deployment.statusDescription = existing.statusDescription
            }
        } else {
            deployment.createIndex = index
            deployment.createTime = time
            for (name, var group) in deployment.taskGroups {
                group.placedAllocs = 0
                group.healthyAllocs = 0
                group.unhealthyAllocs = 0
                group.placedCanaries = []
                group.promoted = false
                group.requireProgress(from: time)
                deployment.taskGroups[name] = group
            }
            deploymentsByJob.insert(
                deployment.id, into: Self.jobKey(namespace: deployment.namespace, id: deployment.jobID))
        }
        deployment.modifyIndex = index
        deployment.modifyTime = time
        deployments[deployment.id] = deployment
        indexRollout(deployment)
        touch(.deployments, at: index)
    }

    /// Sets a deployment's status; an ended deployment keeps its status (the first ending wins).
    mutating func setDeploymentStatus(
        _ update: Caravan_V1_DeploymentStatusUpdate, index: UInt64, time: Google_Protobuf_Timestamp
    ) {
        deployments.update(update.deploymentID) { stored in
            guard var deployment = stored, deployment.isRollingOut else { return }
            deployment.status = update.status
            deployment.statusDescription = update.statusDescription
            deployment.modifyIndex = index
            deployment.modifyTime = time
            stored = deployment
        }
        if let stored = deployments[update.deploymentID] { indexRollout(stored) }
        touch(.deployments, at: index)
    }

    /// Counts an allocation the plan created into its deployment (placed, and a canary when marked so).
    mutating func countPlacement(_ alloc: Caravan_V1_Allocation, index: UInt64, time: Google_Protobuf_Timestamp) {
        guard !alloc.deploymentID.isEmpty else { return }
        deployments.update(alloc.deploymentID) { stored in
            guard var deployment = stored, var group = deployment.taskGroups[alloc.taskGroup] else { return }
            group.placedAllocs += 1
            if alloc.deploymentStatus.canary { group.placedCanaries.append(alloc.id) }
            deployment.taskGroups[alloc.taskGroup] = group
            deployment.modifyIndex = index
            deployment.modifyTime = time
            stored = deployment
        }
        touch(.deployments, at: index)
    }

    /// Counts a health decision a client reported (the first decision per allocation only). A healthy
    /// allocation pushes the group's progress deadline forward, as Nomad does.
    mutating func countHealth(
        of alloc: Caravan_V1_Allocation, before: Caravan_V1_Allocation, index: UInt64,
        time: Google_Protobuf_Timestamp
    ) {
        guard !alloc.deploymentID.isEmpty, alloc.deploymentStatus.hasHealthy, !before.deploymentStatus.hasHealthy
        else { return }
        let healthy = alloc.deploymentStatus.healthy
        deployments.update(alloc.deploymentID) { stored in
            guard var deployment = stored, deployment.isRollingOut, var group = deployment.taskGroups[alloc.taskGroup]
            else { return }
            if healthy {
                group.healthyAllocs += 1
                group.requireProgress(from: time)
            } else {
                group.unhealthyAllocs += 1
            }
            deployment.taskGroups[alloc.taskGroup] = group
            deployment.modifyIndex = index
            deployment.modifyTime = time
            stored = deployment
        }
        touch(.deployments, at: index)
    }

    /// Fail, pause, resume or complete a deployment, with the revert and the evaluation that follow.
    mutating func updateDeployment(
        _ command: Caravan_V1_UpdateDeploymentCommand, index: UInt64, time: Google_Protobuf_Timestamp
    ) throws {
        let update = command.update
        guard let deployment = deployments[update.deploymentID] else {
            throw CaravanError.notFound("deployment \(update.deploymentID) does not exist")
        }
        guard deployment.isRollingOut else {
            throw CaravanError(
                .failedPrecondition,
                "deployment \(Self.short(deployment.id)) has already ended (\(deployment.status.displayName))")
        }
        setDeploymentStatus(update, index: index, time: time)
        if update.status == .successful {
            markStable(
                namespace: deployment.namespace, jobID: deployment.jobID, version: deployment.jobVersion, index: index)
        }
        if command.hasRevertTo {
            var register = Caravan_V1_RegisterJobCommand()
            register.job = command.revertTo
            if command.hasEval { register.eval = command.eval }
            _ = try registerJob(register, index: index, time: time)
        } else if command.hasEval {
            upsertEvals([command.eval], index: index, time: time)
        }
    }

    /// Promotes the canaries of every group (or the named ones). Refused, changing nothing, when the deployment
    /// is not running, a named group is not part of it or has no canaries, or a group's canaries are not all
    /// healthy yet.
    mutating func promoteDeployment(
        _ command: Caravan_V1_PromoteDeploymentCommand, index: UInt64, time: Google_Protobuf_Timestamp
    ) throws {
        guard var deployment = deployments[command.deploymentID] else {
            throw CaravanError.notFound("deployment \(command.deploymentID) does not exist")
        }
        let name = Self.short(deployment.id)
        guard deployment.isRollingOut else {
            throw CaravanError(
                .failedPrecondition, "deployment \(name) has already ended (\(deployment.status.displayName))")
        }
        let groups = command.all || command.groups.isEmpty ? deployment.taskGroups.keys.sorted() : command.groups
        for group in groups where deployment.taskGroups[group] == nil {
            throw CaravanError.invalidArgument("deployment \(name) has no task group \"\(group)\"")
        }
        let withCanaries = groups.filter { (deployment.taskGroups[$0]?.desiredCanaries ?? 0) > 0 }
        guard !withCanaries.isEmpty else {
            throw CaravanError(.failedPrecondition, "deployment \(name) has no canaries to promote")
        }
        for group in withCanaries {
            guard let state = deployment.taskGroups[group], !state.promoted else { continue }
            let healthy = state.placedCanaries.filter { allocs[$0]?.deploymentStatus.healthy == true }.count
            guard healthy >= Int(state.desiredCanaries) else {
                throw CaravanError(
                    .failedPrecondition,
                    "task group \"\(group)\" has \(healthy)/\(state.desiredCanaries) healthy canaries; "
                        + "promotion waits until all are healthy")
            }
        }
        for group in withCanaries {
            deployment.taskGroups[group]?.promoted = true
            deployment.taskGroups[group]?.requireProgress(from: time)
        }
        if deployment.statusDescription == DeploymentText.needsPromotion
            || deployment.statusDescription == DeploymentText.pendingAutoPromotion
        {
            deployment.statusDescription = DeploymentText.running
        }
        deployment.modifyIndex = index
        deployment.modifyTime = time
        deployments[deployment.id] = deployment
        touch(.deployments, at: index)
        if command.hasEval { upsertEvals([command.eval], index: index, time: time) }
    }

    /// `Jobs.Stable`: marks a stored version stable or not.
    mutating func setJobStability(
        _ command: Caravan_V1_SetJobStabilityCommand, index: UInt64, time: Google_Protobuf_Timestamp
    ) throws {
        let key = Self.jobKey(namespace: command.namespace, id: command.jobID)
        guard let record = jobs[key] else { throw CaravanError.notFound("job \"\(command.jobID)\" is not registered") }
        guard record.versions.contains(where: { $0.version == command.version }) else {
            throw CaravanError.notFound("job \"\(command.jobID)\" has no stored version \(command.version)")
        }
        setStable(command.stable, key: key, version: command.version)
        touch(.jobs, at: index)
    }

    private mutating func markStable(namespace: String, jobID: String, version: UInt64, index: UInt64) {
        setStable(true, key: Self.jobKey(namespace: namespace, id: jobID), version: version)
        touch(.jobs, at: index)
    }

    private mutating func setStable(_ stable: Bool, key: String, version: UInt64) {
        jobs.update(key) { stored in
            guard var record = stored else { return }
            for position in record.versions.indices where record.versions[position].version == version {
                record.versions[position].stable = stable
            }
            if record.current.version == version { record.current.stable = stable }
            stored = record
        }
    }

    static func short(_ id: String) -> String { String(id.prefix(8)) }
}

extension Caravan_V1_DeploymentStatus {
    /// Nomad's lower-case names: running, paused, failed, successful, cancelled.
    public var displayName: String {
        switch self {
        case .running: return "running"
        case .paused: return "paused"
        case .failed: return "failed"
        case .successful: return "successful"
        case .cancelled: return "cancelled"
        case .blocked: return "blocked"
        case .pending: return "pending"
        default: return "unknown"
        }
    }
}

extension Caravan_V1_DeploymentState {
    /// Moves the progress deadline to `time` + `progress_deadline` (none when the group has no deadline): on
    /// creation, on each healthy allocation and on promotion.
    mutating func requireProgress(from time: Google_Protobuf_Timestamp) {
        guard progressDeadline.timeInterval > 0 else { return }
        requireProgressBy = time + progressDeadline
    }
}
