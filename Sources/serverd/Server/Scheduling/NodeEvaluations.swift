import CaravanProto
import Foundation
import Scheduler
import State

/// The evaluations a node event needs: the jobs with live allocations on a node that went down, and the
/// system jobs a node that came up (or registered) should run.
enum NodeEvaluations {
    /// One evaluation per job with a non-terminal allocation on `nodeID`.
    static func forJobsOn(nodeID: String, in view: StateView, at time: Date) -> [Caravan_V1_Evaluation] {
        var seen = Set<String>()
        var evals: [Caravan_V1_Evaluation] = []
        for alloc in view.cluster.allocations(nodeID: nodeID) where !alloc.isTerminal {
            let key = "\(alloc.namespace)\u{0}\(alloc.jobID)"
            guard seen.insert(key).inserted,
                let job = view.cluster.job(namespace: alloc.namespace, id: alloc.jobID)
            else { continue }
            evals.append(EvalFactory.evaluation(for: job, trigger: .nodeUpdate, nodeID: nodeID, at: time))
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
