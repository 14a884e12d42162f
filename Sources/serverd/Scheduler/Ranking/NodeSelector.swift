import CaravanProto

/// Picks a node for one placement: Nomad's stack of feasibility → fit → score → limit → max over a seeded
/// shuffle of the ready nodes.
///
/// Nodes are examined lazily from a cursor that keeps moving across placements of the pass, so successive
/// placements look at different nodes and only `limit` fitting nodes are scored per placement.
final class NodeSelector {
    /// A node that can take the placement, with the host ports picked for it and its score.
    struct Option {
        var node: Caravan_V1_Node
        var ports: [Caravan_V1_AllocatedPort]
        var score: Scoring.Result
    }

    private let context: PlanContext
    let candidates: [Caravan_V1_Node]
    let nodesAvailable: [String: Int32]
    private var cursor = 0
    private var groups: [String: (GroupFeasibility, DistinctConstraints, Scoring)] = [:]

    /// Nodes the job may use (the state lists them sorted by id), shuffled with the pass's generator.
    init(context: PlanContext) {
        self.context = context
        let job = context.job
        var available: [String: Int32] = [:]
        let datacenters = DatacenterMatcher(job.datacenters)
        var nodes = context.state.schedulableNodes(pool: job.nodePool.isEmpty ? "default" : job.nodePool).filter {
            node in
            guard datacenters.matches(node.datacenter) else { return false }
            available[node.datacenter, default: 0] += 1
            return true
        }
        nodes.shuffle(using: &context.random)
        candidates = nodes
        nodesAvailable = available
    }

    /// Feasible and fitting nodes scored per placement (Nomad's LimitIterator), before the max is taken.
    func limit(for scoring: Scoring) -> Int {
        if scoring.needsAllNodes { return max(1, candidates.count) }
        if context.job.type == .batch || context.evaluation.type == "batch" { return 2 }
        var log2 = 0
        while (1 << log2) < candidates.count { log2 += 1 }
        return max(2, log2)
    }

    /// The best node for one allocation of `group`, or nil; the metric says how nodes were judged.
    func select(group: Caravan_V1_TaskGroup, penaltyNode: String?) -> (Option?, Caravan_V1_AllocMetric) {
        let (feasibility, distinct, scoring) = rules(for: group)
        var metric = Caravan_V1_AllocMetric()
        metric.nodesAvailable = nodesAvailable
        let limit = limit(for: scoring)
        var chosen: [Option] = []
        var skipped: [Option] = []
        var examined = 0
        while examined < candidates.count && chosen.count < limit {
            let node = candidates[cursor % candidates.count]
            cursor = (cursor + 1) % candidates.count
            examined += 1
            metric.nodesEvaluated += 1
            if let key = feasibility.failure(on: node) ?? distinct.failure(on: node, context: context) {
                metric.nodesFiltered += 1
                metric.constraintFiltered[key, default: 0] += 1
                continue
            }
            let usage = context.usage(of: node)
            switch Fit.check(group: group, node: node, usage: usage, random: &context.random) {
            case .exhausted(let dimension):
                metric.nodesExhausted += 1
                metric.dimensionExhausted[dimension, default: 0] += 1
                if !node.nodeClass.isEmpty { metric.classExhausted[node.nodeClass, default: 0] += 1 }
            case .fits(let ports):
                let score = scoring.score(node: node, usage: usage, penaltyNode: penaltyNode, context: context)
                let option = Option(node: node, ports: ports, score: score)
                if score.normalized < 0 && skipped.count < 3 {
                    skipped.append(option)
                } else {
                    chosen.append(option)
                }
            }
        }
        if chosen.count < limit { chosen += skipped }
        var best: Option?
        for option in chosen where best.map({ option.score.normalized > $0.score.normalized }) ?? true {
            best = option
        }
        if let best {
            var meta = Caravan_V1_NodeScoreMeta()
            meta.nodeID = best.node.id
            meta.scores = best.score.components
            meta.normScore = best.score.normalized
            metric.scores = [meta]
        }
        return (best, metric)
    }

    private func rules(for group: Caravan_V1_TaskGroup) -> (GroupFeasibility, DistinctConstraints, Scoring) {
        if let cached = groups[group.name] { return cached }
        let job = context.job
        let rules = (
            GroupFeasibility(job: job, group: group, checker: context.checker),
            DistinctConstraints(job: job, group: group), Scoring(job: job, group: group)
        )
        groups[group.name] = rules
        return rules
    }
}
