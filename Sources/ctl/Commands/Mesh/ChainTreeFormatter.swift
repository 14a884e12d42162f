import CaravanProto
import Spec

/// Draws a compiled discovery chain as a tree: the service, then each router, splitter and resolver a request
/// passes through, ending at targets, with failover targets and redirects shown on their resolvers.
///
/// ```
/// web (http, dc1)
/// └─ router:web
///    ├─ /admin (path prefix) → resolver:admin.default.dc1 → target admin.default.dc1
///    └─ * (default) → splitter:web
///       ├─ 90% → resolver:v1.web.default.dc1 → target v1.web.default.dc1 (filter: Service.Meta.version == v1)
///       │  └─ failover → v1.web.default.dc2
///       └─ 10% → resolver:v2.web.default.dc1 → target v2.web.default.dc1 (filter: Service.Meta.version == v2)
/// ```
enum ChainTreeFormatter {
    /// A line of the tree and the lines hanging below it.
    struct Item: Equatable {
        var text: String
        var children: [Item] = []
    }

    static func format(_ chain: Caravan_V1_CompiledDiscoveryChain) -> String {
        render(tree(chain))
    }

    static func tree(_ chain: Caravan_V1_CompiledDiscoveryChain) -> Item {
        var facts = [chain.protocol.isEmpty ? "tcp" : chain.protocol]
        if !chain.datacenter.isEmpty { facts.append(chain.datacenter) }
        if chain.customized { facts.append("compiled with overrides") }
        let name = IntentionFormatter.service(chain.serviceName, chain.namespace)
        let root = Item(text: "\(name) (\(facts.joined(separator: ", ")))")
        guard !chain.startNode.isEmpty else { return Item(text: root.text, children: [Item(text: "(no start node)")]) }
        return Item(text: root.text, children: [edge(label: nil, to: chain.startNode, in: chain, visited: [])])
    }

    /// `label → node`, with the node's own children below it.
    static func edge(label: String?, to key: String, in chain: Caravan_V1_CompiledDiscoveryChain, visited: Set<String>)
        -> Item
    {
        let lead = label.map { "\($0) → " } ?? ""
        guard let node = chain.nodes[key] else { return Item(text: lead + "\(key) (missing from the chain)") }
        guard !visited.contains(key) else { return Item(text: lead + "\(key) (loops back)") }
        let visited = visited.union([key])
        switch node.type {
        case .router:
            let routes = node.routes.map { route in
                edge(label: RouteText.describe(route.definition), to: route.nextNode, in: chain, visited: visited)
            }
            return Item(text: lead + key, children: routes)
        case .splitter:
            let splits = node.splits.map { split in
                edge(label: weight(split.weight), to: split.nextNode, in: chain, visited: visited)
            }
            return Item(text: lead + key, children: splits)
        case .resolver:
            return resolver(lead: lead, key: key, node.resolver, in: chain)
        default:
            return Item(text: lead + key)
        }
    }

    /// `resolver:X → target X (details)`; a redirect shows as `resolver:X → redirect → target Y`.
    static func resolver(
        lead: String, key: String, _ resolver: Caravan_V1_ChainResolver, in chain: Caravan_V1_CompiledDiscoveryChain
    ) -> Item {
        let resolvedName = key.hasPrefix("resolver:") ? String(key.dropFirst("resolver:".count)) : key
        let redirect = !resolver.target.isEmpty && resolvedName != resolver.target ? " → redirect" : ""
        var details: [String] = []
        if let target = chain.targets[resolver.target] {
            if !target.subsetFilter.isEmpty { details.append("filter: \(target.subsetFilter)") }
            if target.onlyPassing { details.append("only passing") }
        }
        if resolver.hasConnectTimeout {
            details.append("connect timeout \(GoDurationText.text(resolver.connectTimeout))")
        }
        let suffix = details.isEmpty ? "" : " (\(details.joined(separator: ", ")))"
        let target = resolver.target.isEmpty ? " → no target" : " → target \(resolver.target)"
        var item = Item(text: lead + key + redirect + target + suffix)
        if !resolver.failover.targets.isEmpty {
            item.children.append(Item(text: "failover → " + resolver.failover.targets.joined(separator: ", ")))
        }
        return item
    }

    /// `90%`, `33.33%`.
    static func weight(_ weight: Float) -> String {
        let text = "\(weight)"
        return (text.hasSuffix(".0") ? String(text.dropLast(2)) : text) + "%"
    }

    /// The tree with box-drawing branches, children indented under their parent.
    static func render(_ root: Item) -> String {
        var lines = [root.text]
        append(root.children, prefix: "", to: &lines)
        return lines.joined(separator: "\n")
    }

    static func append(_ items: [Item], prefix: String, to lines: inout [String]) {
        for (index, item) in items.enumerated() {
            let isLast = index == items.count - 1
            lines.append(prefix + (isLast ? "└─ " : "├─ ") + item.text)
            append(item.children, prefix: prefix + (isLast ? "   " : "│  "), to: &lines)
        }
    }
}
