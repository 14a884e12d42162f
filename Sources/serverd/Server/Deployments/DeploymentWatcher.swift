import CaravanProto
import CaravanRPC
import Foundation
import Logging
import Scheduler
import State

/// Moves deployments along while this server leads (Nomad's deployment watcher): fails them on unhealthy
/// allocations or a missed progress deadline (rolling back with auto_revert), promotes canaries with
/// auto_promote, marks them successful (and their job version stable), and asks the scheduler for the next
/// batch whenever allocations become healthy.
///
/// Everything it decides goes through Raft; the only memory it keeps is the healthy counts it last saw, so a
/// new leader simply evaluates each running deployment once more.
struct DeploymentWatcher: Sendable {
    let cluster: any ClusterAccess
    let logger: Logger
    let now: @Sendable () -> Date
    var interval: Duration = .milliseconds(200)

    func run() async {
        var lastHealthy: [String: Int32] = [:]
        while !Task.isCancelled {
            do {
                try await watchOnce(lastHealthy: &lastHealthy)
            } catch {
                if !Task.isCancelled { logger.warning("deployment watcher failed", metadata: ["error": "\(error)"]) }
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// Looks at every running deployment once and acts on what is due.
    func watchOnce(lastHealthy: inout [String: Int32]) async throws {
        let view = try await cluster.latestView()
        let time = now()
        var active: Set<String> = []
        for deployment in view.cluster.activeDeployments {
            active.insert(deployment.id)
            let healthy = deployment.taskGroups.values.reduce(0) { $0 + $1.healthyAllocs }
            let action = DeploymentProgress.decide(
                deployment, cluster: view.cluster, now: time, lastHealthy: lastHealthy[deployment.id])
            lastHealthy[deployment.id] = healthy
            guard let action, let job = view.cluster.job(namespace: deployment.namespace, id: deployment.jobID) else {
                continue
            }
            do {
                try await perform(action, on: deployment, job: job, at: time)
            } catch {
                // Looked at again next time (the state may have moved on, e.g. an operator failed it first).
                lastHealthy[deployment.id] = nil
                logger.warning(
                    "deployment update refused",
                    metadata: ["deployment": "\(deployment.id)", "error": "\(error)"])
            }
        }
        lastHealthy = lastHealthy.filter { active.contains($0.key) }
    }

    private func perform(
        _ action: DeploymentProgress.Action, on deployment: Caravan_V1_Deployment, job: Caravan_V1_Job, at time: Date
    ) async throws {
        var command = StateCommands.envelope(at: time)
        switch action {
        case .fail(let description, let revertTo):
            command.updateDeployment = Caravan_V1_UpdateDeploymentCommand.with {
                $0.update = DeploymentPlanner.statusUpdate(deployment.id, .failed, description)
                if let revertTo { $0.revertTo = revertTo }
                $0.eval = EvalFactory.evaluation(for: job, trigger: .deploymentWatcher, at: time)
            }
            logger.warning("deployment failed", metadata: ["deployment": "\(deployment.id)", "why": "\(description)"])
        case .promote:
            command.promoteDeployment = Caravan_V1_PromoteDeploymentCommand.with {
                $0.deploymentID = deployment.id
                $0.all = true
                $0.eval = EvalFactory.evaluation(for: job, trigger: .deploymentWatcher, at: time)
            }
        case .succeed:
            command.updateDeployment = Caravan_V1_UpdateDeploymentCommand.with {
                $0.update = DeploymentPlanner.statusUpdate(deployment.id, .successful, DeploymentText.successful)
            }
        case .advance:
            command.upsertEvals = Caravan_V1_UpsertEvalsCommand.with {
                $0.evals = [EvalFactory.evaluation(for: job, trigger: .deploymentWatcher, at: time)]
            }
        }
        let applied = try await cluster.proposeAsLeader(command)
        if let refusal = applied.result.refusal { throw refusal }
    }
}
