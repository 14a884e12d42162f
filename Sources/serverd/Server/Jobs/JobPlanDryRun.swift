import CaravanProto
import Foundation
import Scheduler
import State

/// `ctl job plan`: runs the scheduler on the current state as if the job had been submitted, and reports
/// what it would do, without writing anything.
enum JobPlanDryRun {
    static func plan(_ job: Caravan_V1_Job, on view: StateView, at time: Date) -> Caravan_V1_PlanJobResponse {
        let current = view.cluster.job(namespace: job.namespace, id: job.id)
        var proposed = job
        proposed.version = current.map { $0.version + 1 } ?? 0
        let state = ProposedJobState(base: view, job: proposed)
        let eval = EvalFactory.evaluation(for: proposed, trigger: .jobRegister, at: time)
        let plan = Scheduler.schedule(evaluation: eval, state: state, now: time, seed: 1)
        var response = Caravan_V1_PlanJobResponse()
        response.annotations = plan.annotations
        response.failedTgAllocs = plan.evalUpdate.failedTgAllocs
        response.jobModifyIndex = current?.jobModifyIndex ?? 0
        response.diff = JobDiffer.diff(old: current, new: job)
        return response
    }
}

/// The state as it would be with `job` registered: what the dry run plans against.
struct ProposedJobState: SchedulerState {
    let base: StateView
    let job: Caravan_V1_Job

    var index: UInt64 { base.index }
    var nodes: [Caravan_V1_Node] { base.nodes }
    func node(id: String) -> Caravan_V1_Node? { base.node(id: id) }

    func job(namespace: String, id: String) -> Caravan_V1_Job? {
        namespace == job.namespace && id == job.id ? job : base.job(namespace: namespace, id: id)
    }

    func job(namespace: String, id: String, version: UInt64) -> Caravan_V1_Job? {
        namespace == job.namespace && id == job.id && version == job.version
            ? job : base.job(namespace: namespace, id: id, version: version)
    }

    func allocations(namespace: String, jobID: String) -> [Caravan_V1_Allocation] {
        base.allocations(namespace: namespace, jobID: jobID)
    }

    func allocations(nodeID: String) -> [Caravan_V1_Allocation] { base.allocations(nodeID: nodeID) }

    func latestDeployment(namespace: String, jobID: String) -> Caravan_V1_Deployment? {
        base.latestDeployment(namespace: namespace, jobID: jobID)
    }

    func deployment(id: String) -> Caravan_V1_Deployment? { base.deployment(id: id) }
}
