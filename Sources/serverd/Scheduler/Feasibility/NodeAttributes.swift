import CaravanProto

/// Resolves constraint targets such as `${attr.kernel.name}` against one node.
enum NodeAttributes {
    /// The value a target names on `node`: interpolations resolve to node facts (nil when absent), anything
    /// else is a literal.
    static func resolve(_ target: String, on node: Caravan_V1_Node) -> String? {
        guard target.hasPrefix("${"), target.hasSuffix("}"), target.count >= 3 else { return target }
        let name = String(target.dropFirst(2).dropLast())
        switch name {
        case "node.unique.id": return node.id
        case "node.unique.name": return node.name
        case "node.datacenter": return node.datacenter
        case "node.class": return node.nodeClass
        case "node.pool": return node.poolName
        default: break
        }
        if name.hasPrefix("attr.") {
            return node.attributes[String(name.dropFirst(5))]
        }
        if name.hasPrefix("meta.") {
            return node.meta[String(name.dropFirst(5))]
        }
        return nil
    }
}

/// Shell-style matching with `*` as the only wildcard, used for datacenter names like "dc*".
/// A job's `datacenters`, split once per evaluation into exact names and `*` patterns.
struct DatacenterMatcher {
    let exact: Set<String>
    let patterns: [String]

    init(_ datacenters: [String]) {
        exact = Set(datacenters.filter { !$0.contains("*") })
        patterns = datacenters.filter { $0.contains("*") }
    }

    func matches(_ datacenter: String) -> Bool {
        exact.contains(datacenter) || patterns.contains { Glob.matches($0, datacenter) }
    }
}

enum Glob {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        guard pattern.contains("*") else { return pattern == text }
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        var rest = Substring(text)
        for (index, part) in parts.enumerated() {
            if index == 0 {
                guard rest.hasPrefix(part) else { return false }
                rest = rest.dropFirst(part.count)
            } else if index == parts.count - 1 {
                return part.isEmpty || rest.hasSuffix(part)
            } else if !part.isEmpty {
                guard let range = rest.range(of: part) else { return false }
                rest = rest[range.upperBound...]
            }
        }
        return true
    }
}
