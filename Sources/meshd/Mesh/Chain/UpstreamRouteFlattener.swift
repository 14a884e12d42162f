import CaravanProto

/// Turns a compiled chain's nodes into the routes a proxy acts on: each route's weighted targets, in basis
/// points that sum to exactly 10000.
enum UpstreamRouteFlattener {
    static let totalBasisPoints: UInt32 = 10_000

    static func routes(_ chain: Caravan_V1_CompiledDiscoveryChain) -> [Caravan_V1_UpstreamRoute] {
        guard let start = chain.nodes[chain.startNode] else { return [] }
        guard start.type == .router else {
            var route = Caravan_V1_UpstreamRoute()
            route.targets = weightedTargets(start.name, chain)
            return [route]
        }
        return start.routes.map { chained in
            var route = Caravan_V1_UpstreamRoute()
            let definition = chained.definition
            if definition.hasMatch { route.match = definition.match }
            var options = definition.destination
            options.service = ""
            options.serviceSubset = ""
            options.namespace = ""
            if options != Caravan_V1_ServiceRouteDestination() { route.options = options }
            route.targets = weightedTargets(chained.nextNode, chain)
            return route
        }
    }

    /// The targets a node leads to, weighted in basis points.
    static func weightedTargets(_ node: String, _ chain: Caravan_V1_CompiledDiscoveryChain)
        -> [Caravan_V1_WeightedTarget]
    {
        var percents: [(target: String, percent: Double)] = []
        collect(node, share: 100, chain, visiting: [], into: &percents)
        return basisPoints(percents).map { entry in
            var weighted = Caravan_V1_WeightedTarget()
            weighted.targetID = entry.target
            weighted.weight = entry.weight
            return weighted
        }
    }

    /// Walks splitters (already flat after compilation, but nested ones are multiplied out here too) down to
    /// resolver targets, adding up the share of traffic each receives.
    private static func collect(
        _ name: String, share: Double, _ chain: Caravan_V1_CompiledDiscoveryChain, visiting: Set<String>,
        into percents: inout [(target: String, percent: Double)]
    ) {
        guard let node = chain.nodes[name], !visiting.contains(name) else { return }
        switch node.type {
        case .resolver:
            if let index = percents.firstIndex(where: { $0.target == node.resolver.target }) {
                percents[index].percent += share
            } else {
                percents.append((node.resolver.target, share))
            }
        case .splitter:
            for split in node.splits where split.weight > 0 {
                collect(
                    split.nextNode, share: share * Double(split.weight) / 100, chain,
                    visiting: visiting.union([name]), into: &percents)
            }
        default:
            return
        }
    }

    /// Percentages to whole basis points by largest remainder, so rounding never loses or invents traffic.
    static func basisPoints(_ percents: [(target: String, percent: Double)]) -> [(target: String, weight: UInt32)] {
        let total = percents.reduce(0) { $0 + max($1.percent, 0) }
        guard total > 0 else { return [] }
        let exact = percents.map { max($0.percent, 0) / total * Double(totalBasisPoints) }
        var weights = exact.map { UInt32($0.rounded(.down)) }
        var missing = Int(totalBasisPoints) - Int(weights.reduce(0, +))
        let byRemainder = exact.indices.sorted {
            (exact[$0] - exact[$0].rounded(.down)) > (exact[$1] - exact[$1].rounded(.down))
        }
        var cursor = 0
        while missing > 0 && !byRemainder.isEmpty {
            weights[byRemainder[cursor % byRemainder.count]] += 1
            missing -= 1
            cursor += 1
        }
        return zip(percents, weights).compactMap { $1 > 0 ? ($0.target, $1) : nil }
    }
}
