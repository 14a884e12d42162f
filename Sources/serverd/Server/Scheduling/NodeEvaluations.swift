import CaravanProto
import Foundation
import Scheduler
import State

/// The evaluations a node event needs: the jobs with live allocations on a node that went down, and the
/// system jobs a node that came up (or registered) should run.
enum NodeEvaluations {
    /// One evaluation per job with a non-terminal allocation on `nodeID`.
    static func forJobsOn(nodeID: String, in view: StateView, at time: Date) -> [Caravan_V1_Evaluation] {
        onePerJob(
            of: view.cluster.allocations(nodeID: nodeID).filter { !$0.isTerminal }, trigger: .nodeUpdate,
            nodeID: nodeID, in: view, at: time)
    }

    /// One evaluation per distinct (still registered) job among `allocs`, in their order.
    static func onePerJob(
        of allocs: [Caravan_V1_Allocation], trigger: EvalFactory.Trigger, nodeID: String = "", in view: StateView,
        at time: Date
    ) -> [Caravan_V1_Evaluation] {
        var seen = Set<String>()
        var evals: [Caravan_V1_Evaluation] = []
        for alloc in allocs where seen.insert("\(alloc.namespace)\u{0}\(alloc.jobID)").inserted {
            guard let job = view.cluster.job(namespace: alloc.namespace, id: alloc.jobID) else { continue }
            evals.append(EvalFactory.evaluation(for: job, trigger: trigger, nodeID: nodeID, at: time))
        }
        return evals
    }

    /// One evaluation per running system job, so a node that becomes usable gets its system allocations.
    static func forSystemJobs(nodeID: String, in view: StateView, at time: Date) -> [Caravan_V1_Evaluation] {
        view.cluster.jobs.values.map(\.current)
            .filter { $0.type == .system && !$0.stop }
            .sorted { $0.id < $1.id }
            .map { EvalFactory.evaluation(for: $0, trigger: .nodeUpdate, nodeID: nodeID, at: time) }
    }
}
