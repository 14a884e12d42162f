import CaravanProto

/// A parsed service-resolver subset filter (Consul's bexpr subset), evaluated against catalog instances to
/// decide which ones belong to a subset.
public struct SubsetFilter: Sendable {
    let expression: SubsetExpression?

    /// Parses `text`; the empty filter matches every instance.
    public init(parsing text: String) throws(SubsetFilterError) {
        let tokens = try SubsetFilterLexer.tokens(text)
        if tokens.count == 1 {
            expression = nil
        } else {
            var parser = SubsetFilterParser(tokens: tokens)
            expression = try parser.parse()
        }
    }

    public func matches(_ instance: Caravan_V1_ServiceInstance) -> Bool {
        expression?.evaluate(instance) ?? true
    }
}

/// The fields of an instance a filter can select.
enum SubsetSelector: Equatable {
    case serviceID, serviceName, serviceTags, serviceMeta, nodeName, nodeDatacenter
    case serviceMetaKey(String)

    enum Shape { case text, list, map }

    static let known = [
        "Service.ID", "Service.Service", "Service.Tags", "Service.Meta", "Service.Meta.<key>", "Node.Node",
        "Node.Datacenter",
    ]

    init?(path: String) {
        switch path {
        case "Service.ID": self = .serviceID
        case "Service.Service": self = .serviceName
        case "Service.Tags": self = .serviceTags
        case "Service.Meta": self = .serviceMeta
        case "Node.Node": self = .nodeName
        case "Node.Datacenter": self = .nodeDatacenter
        default:
            let prefix = "Service.Meta."
            guard path.hasPrefix(prefix), path.count > prefix.count else { return nil }
            self = .serviceMetaKey(String(path.dropFirst(prefix.count)))
        }
    }

    var shape: Shape {
        switch self {
        case .serviceTags: return .list
        case .serviceMeta: return .map
        default: return .text
        }
    }

    /// The selected text, for text-shaped selectors (a missing meta key reads as "").
    func text(of instance: Caravan_V1_ServiceInstance) -> String {
        switch self {
        case .serviceID: return instance.id
        case .serviceName: return instance.name
        case .nodeName: return instance.nodeName
        case .nodeDatacenter: return instance.datacenter
        case .serviceMetaKey(let key): return instance.meta[key] ?? ""
        case .serviceTags, .serviceMeta: return ""
        }
    }
}

/// How a match compares its selector with its value.
enum SubsetOperator: Equatable {
    case equal, notEqual, isEmpty, isNotEmpty, contains, notContains, matches, notMatches
}

/// One comparison: `Service.Meta.version == v2`, `v2 in Service.Tags`, `Node.Node matches "^web-"`.
// @unchecked: `Regex` is not declared Sendable, but a compiled regex is an immutable value that is only read.
struct SubsetMatch: @unchecked Sendable {
    var selector: SubsetSelector
    var operation: SubsetOperator
    var value: String
    var regex: Regex<AnyRegexOutput>?

    func evaluate(_ instance: Caravan_V1_ServiceInstance) -> Bool {
        switch operation {
        case .isEmpty: return isEmpty(instance)
        case .isNotEmpty: return !isEmpty(instance)
        case .equal: return selector.text(of: instance) == value
        case .notEqual: return selector.text(of: instance) != value
        case .contains: return contains(instance)
        case .notContains: return !contains(instance)
        case .matches: return matchesRegex(instance)
        case .notMatches: return !matchesRegex(instance)
        }
    }

    private func isEmpty(_ instance: Caravan_V1_ServiceInstance) -> Bool {
        switch selector {
        case .serviceTags: return instance.tags.isEmpty
        case .serviceMeta: return instance.meta.isEmpty
        default: return selector.text(of: instance).isEmpty
        }
    }

    /// Lists hold the value, maps have it as a key, text has it as a substring.
    private func contains(_ instance: Caravan_V1_ServiceInstance) -> Bool {
        switch selector {
        case .serviceTags: return instance.tags.contains(value)
        case .serviceMeta: return instance.meta[value] != nil
        default: return selector.text(of: instance).contains(value)
        }
    }

    private func matchesRegex(_ instance: Caravan_V1_ServiceInstance) -> Bool {
        guard let regex else { return false }
        return selector.text(of: instance).contains(regex)
    }
}

/// The boolean structure of a filter.
indirect enum SubsetExpression: Sendable {
    case match(SubsetMatch)
    case not(SubsetExpression)
    case and(SubsetExpression, SubsetExpression)
    case or(SubsetExpression, SubsetExpression)

    func evaluate(_ instance: Caravan_V1_ServiceInstance) -> Bool {
        switch self {
        case .match(let match): return match.evaluate(instance)
        case .not(let inner): return !inner.evaluate(instance)
        case .and(let left, let right): return left.evaluate(instance) && right.evaluate(instance)
        case .or(let left, let right): return left.evaluate(instance) || right.evaluate(instance)
        }
    }
}
