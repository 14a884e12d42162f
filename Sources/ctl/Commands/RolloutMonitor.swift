import CaravanProto
import GRPCCore
import Scheduler
import State

/// What `ctl job run`, `job revert` and `job promote` watch after a write: the evaluation until the scheduler is
/// done with it, then the deployment it started or continued (if the job has an update stanza) until it ends.
struct RolloutMonitor<Transport: ClientTransport> {
    var client: GRPCClient<Transport>
    var verbose = false

    /// Returns the evaluation's status when it is not 0 (placement failures: the rollout cannot finish), else the
    /// deployment's: 0 successful (or no deployment), 1 failed or cancelled.
    func run(evaluationID: String, jobID: String, namespace: String, emit: (String) -> Void) async throws -> Int32 {
        let monitor = EvalMonitor(source: ServerEvaluationSource(client: client), verbose: verbose)
        let status = try await monitor.run(evaluationID: evaluationID, emit: emit)
        guard status == 0 else { return status }
        var query = Caravan_V1_QueryOptions()
        query.namespace = namespace
        let evaluation = try await Caravan_V1_Evaluations.Client(wrapping: client).get(
            .with { $0.evalID = evaluationID }
        ).evaluation
        let jobs = Caravan_V1_Jobs.Client(wrapping: client)
        let job = try await jobs.get(
            .with {
                $0.jobID = jobID
                $0.query = query
            }
        ).job
        let deployments = try await jobs.deployments(
            .with {
                $0.jobID = jobID
                $0.query = query
            }
        ).deployments
        guard
            let deployment = DeploymentLookup.started(
                by: evaluation, jobVersion: job.version, deployments: deployments)
        else { return 0 }
        return try await follow(deploymentID: deployment.id, emit: emit)
    }

    /// Follows one deployment (after a blank line separating it from the evaluation's output).
    func follow(deploymentID: String, emit: (String) -> Void) async throws -> Int32 {
        emit("")
        let monitor = DeploymentMonitor(source: ServerDeploymentSource(client: client), verbose: verbose)
        return try await monitor.run(deploymentID: deploymentID, emit: emit)
    }
}

/// Which deployment a finished evaluation belongs to.
enum DeploymentLookup {
    /// The evaluation's own deployment when it names one; else the newest deployment of the job version just
    /// registered that is still rolling out or was created by this evaluation. Nil when the job has no update
    /// stanza, or when re-running an unchanged job found its deployment already ended.
    static func started(
        by evaluation: Caravan_V1_Evaluation, jobVersion: UInt64, deployments: [Caravan_V1_Deployment]
    ) -> Caravan_V1_Deployment? {
        if !evaluation.deploymentID.isEmpty, let named = deployments.first(where: { $0.id == evaluation.deploymentID })
        {
            return named
        }
        return deployments.sorted { $0.createIndex > $1.createIndex }.first { deployment in
            deployment.jobVersion == jobVersion
                && (deployment.isRollingOut || deployment.createIndex >= evaluation.createIndex)
        }
    }
}
