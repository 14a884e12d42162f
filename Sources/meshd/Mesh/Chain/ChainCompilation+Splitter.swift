import CaravanProto

extension ChainCompilation {
    /// The splitter node for `service`, if it has a service-splitter; nested splitters are multiplied out so
    /// every split of the node leads to a resolver.
    mutating func splitterNode(service: String) throws(ChainCompileError) -> String? {
        guard routingEnabled else { return nil }
        let name = ChainNaming.splitterNode(service)
        if nodes[name] != nil { return name }
        guard let entry = lookup(ConfigEntryKind.serviceSplitter, service) else { return nil }
        try requireHTTP(kind: ConfigEntryKind.serviceSplitter, service: service)
        let splits = try flattenedSplits(of: service, entry.serviceSplitter, expanding: [service])

        var node = Caravan_V1_ChainNode()
        node.type = .splitter
        node.name = name
        for split in Self.merged(splits) {
            var compiled = Caravan_V1_ChainSplit()
            compiled.weight = Float(split.weight)
            compiled.nextNode = split.next
            node.splits.append(compiled)
        }
        nodes[name] = node
        return name
    }

    /// The splits of one splitter as (percent, resolver node), with nested splitters expanded.
    /// `expanding` holds the splitters on the current path, to catch loops.
    private mutating func flattenedSplits(
        of service: String, _ splitter: Caravan_V1_ServiceSplitter, expanding: [String]
    ) throws(ChainCompileError) -> [(weight: Double, next: String)] {
        var result: [(weight: Double, next: String)] = []
        for (index, split) in splitter.splits.enumerated() {
            let weight = Double(split.weight)
            let target = split.service.isEmpty ? service : split.service
            // A split to another service without a subset goes through that service's own splitter, if any;
            // a split back to the splitter's own service means its resolver.
            if split.serviceSubset.isEmpty && target != service,
                let inner = lookup(ConfigEntryKind.serviceSplitter, target)
            {
                if expanding.contains(target) { throw .circularSplit(path: expanding + [target]) }
                try requireHTTP(kind: ConfigEntryKind.serviceSplitter, service: target)
                let innerSplits = try flattenedSplits(
                    of: target, inner.serviceSplitter, expanding: expanding + [target])
                for inner in innerSplits {
                    result.append((Self.hundredths(weight * inner.weight / 100), inner.next))
                }
                continue
            }
            let targetRequest = TargetRequest(
                service: target, subset: split.serviceSubset, datacenter: request.datacenter)
            let next = try resolverNode(
                for: targetRequest, referrer: "service-splitter \"\(service)\" Splits[\(index)]")
            result.append((weight, next))
        }
        return result
    }

    /// Splits to the same node added together, in order of first appearance.
    static func merged(_ splits: [(weight: Double, next: String)]) -> [(weight: Double, next: String)] {
        var order: [String] = []
        var totals: [String: Double] = [:]
        for split in splits {
            if totals[split.next] == nil { order.append(split.next) }
            totals[split.next, default: 0] += split.weight
        }
        return order.map { (hundredths(totals[$0] ?? 0), $0) }
    }

    /// Split weights keep two decimals, as Consul's do.
    static func hundredths(_ value: Double) -> Double { (value * 100).rounded() / 100 }
}
