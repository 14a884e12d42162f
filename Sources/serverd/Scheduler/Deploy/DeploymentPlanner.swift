import CaravanProto

/// Decides the plan's deployment after every group is reconciled: cancels a deployment of an older version,
/// creates one when the new version changes what runs (or nothing of it ran yet), and keeps the desired counts
/// of the running one current. A version whose deployment ended never gets a second one.
public enum DeploymentPlanner {
    static func plan(context: PlanContext, needs: [String: Reconciler.DeploymentNeed]) {
        let rollout = context.rollout
        if let older = rollout.superseded {
            context.plan.deploymentUpdates.append(
                statusUpdate(older.id, .cancelled, DeploymentText.newerJob))
        }
        if let active = rollout.active {
            var updated = active
            for (name, need) in needs where updated.taskGroups[name] != nil || need.wantsNew {
                var group = updated.taskGroups[name] ?? groupState(name, need: need, job: context.job)
                group.desiredTotal = Int32(need.desiredTotal)
                group.desiredCanaries = Int32(need.desiredCanaries)
                updated.taskGroups[name] = group
            }
            if updated != active { context.plan.deployment = updated }
            context.deployment = updated
            return
        }
        guard rollout.current == nil, needs.values.contains(where: \.wantsNew) else { return }
        let job = context.job
        var deployment = Caravan_V1_Deployment()
        deployment.id = context.random.uuid()
        deployment.namespace = job.namespace
        deployment.jobID = job.id
        deployment.jobVersion = job.version
        deployment.jobModifyIndex = job.jobModifyIndex
        deployment.jobCreateIndex = job.createIndex
        deployment.status = .running
        for (name, need) in needs where need.wantsNew {
            deployment.taskGroups[name] = groupState(name, need: need, job: job)
        }
        deployment.statusDescription = initialDescription(deployment)
        context.plan.deployment = deployment
        context.deployment = deployment
    }

    /// The job is stopped: its rollout ends.
    static func cancelForStoppedJob(context: PlanContext) {
        guard let latest = context.state.latestDeployment(namespace: context.job.namespace, jobID: context.job.id),
            latest.isRollingOut
        else { return }
        context.plan.deploymentUpdates.append(statusUpdate(latest.id, .cancelled, DeploymentText.stoppedJob))
    }

    private static func groupState(_ name: String, need: Reconciler.DeploymentNeed, job: Caravan_V1_Job)
        -> Caravan_V1_DeploymentState
    {
        let update = job.taskGroups.first { $0.name == name }?.update ?? Caravan_V1_UpdateStrategy()
        var state = Caravan_V1_DeploymentState()
        state.autoRevert = update.autoRevert
        state.autoPromote = update.autoPromote
        if update.hasProgressDeadline { state.progressDeadline = update.progressDeadline }
        state.desiredTotal = Int32(need.desiredTotal)
        state.desiredCanaries = Int32(need.desiredCanaries)
        return state
    }

    private static func initialDescription(_ deployment: Caravan_V1_Deployment) -> String {
        let canaryGroups = deployment.taskGroups.values.filter { $0.desiredCanaries > 0 }
        guard !canaryGroups.isEmpty else { return DeploymentText.running }
        return canaryGroups.allSatisfy(\.autoPromote)
            ? DeploymentText.pendingAutoPromotion : DeploymentText.needsPromotion
    }

    public static func statusUpdate(_ id: String, _ status: Caravan_V1_DeploymentStatus, _ description: String)
        -> Caravan_V1_DeploymentStatusUpdate
    {
        var update = Caravan_V1_DeploymentStatusUpdate()
        update.deploymentID = id
        update.status = status
        update.statusDescription = description
        return update
    }
}
