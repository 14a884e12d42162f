import CaravanProto
import Spec

/// Checks an intention, or a service-intentions entry, before meshd writes it.
///
/// Returns every problem at once (empty = valid), each starting with the field it is about, so a user fixes all of
/// them in one round trip. Wildcards may stand on either side in every combination, as in Consul; L7 permissions
/// need a named destination that speaks an HTTP-based protocol.
public enum IntentionValidator {
    /// The only namespace Caravan has.
    public static let defaultNamespace = "default"
    /// The only kind of source identity: a mesh service identified by its SPIFFE ID.
    public static let consulSourceType = "consul"
    public static let maxMetaEntries = 64
    public static let maxMetaKeyLength = 128
    public static let maxMetaValueLength = 512
    public static let maxDescriptionLength = 512

    /// Problems with `intention`; `destinationProtocol` is the destination's protocol from its service-defaults
    /// entry ("" = tcp).
    public static func validate(_ intention: Caravan_V1_Intention, destinationProtocol: String) -> [String] {
        var problems: [String] = []
        problems += nameProblems(intention.sourceName, field: "source_name")
        problems += namespaceProblems(intention.sourceNamespace, field: "source_namespace")
        problems += nameProblems(intention.destinationName, field: "destination_name")
        problems += namespaceProblems(intention.destinationNamespace, field: "destination_namespace")
        if !intention.sourceType.isEmpty && intention.sourceType != consulSourceType {
            problems.append(
                "source_type: only \"\(consulSourceType)\" is supported, but it is \"\(intention.sourceType)\"")
        }
        problems += ruleProblems(
            action: intention.action, permissions: intention.permissions, destination: intention.destinationName,
            destinationProtocol: destinationProtocol, prefix: "")
        problems += metaProblems(intention.meta, field: "meta")
        problems += descriptionProblems(intention.description_p, field: "description")
        return problems
    }

    /// Problems with a `service-intentions` entry, each source checked as the intention it becomes.
    public static func validate(serviceIntentions entry: Caravan_V1_ConfigEntry, destinationProtocol: String)
        -> [String]
    {
        guard case .serviceIntentions(let body)? = entry.body else {
            return ["kind: a service-intentions entry needs a service_intentions body"]
        }
        var problems = nameProblems(entry.name, field: "name")
        problems += namespaceProblems(entry.namespace, field: "namespace")
        problems += metaProblems(entry.meta, field: "meta")
        if body.sources.isEmpty {
            problems.append("sources: at least one source is needed")
        }
        var firstIndex: [String: Int] = [:]
        for (index, source) in body.sources.enumerated() {
            let prefix = "sources[\(index)]."
            problems += nameProblems(source.name, field: prefix + "name")
            problems += namespaceProblems(source.namespace, field: prefix + "namespace")
            problems += ruleProblems(
                action: source.action, permissions: source.permissions, destination: entry.name,
                destinationProtocol: destinationProtocol, prefix: prefix)
            problems += metaProblems(source.meta, field: prefix + "meta")
            problems += descriptionProblems(source.description_p, field: prefix + "description")
            if let first = firstIndex[source.name] {
                problems.append(
                    "sources[\(index)]: repeats the source \"\(source.name)\" of sources[\(first)]; "
                        + "give each source one entry")
            } else {
                firstIndex[source.name] = index
            }
        }
        return problems
    }

    /// Whether a service speaking `protocol` can carry L7 permissions.
    public static func isHTTPBased(_ protocol: String) -> Bool {
        ["http", "http2", "grpc"].contains(`protocol`.lowercased())
    }

    /// A service name or `*`.
    static func nameProblems(_ name: String, field: String) -> [String] {
        if name.isEmpty { return ["\(field): required (a service name or \"*\")"] }
        if name == IntentionPrecedence.wildcard { return [] }
        if name.contains(IntentionPrecedence.wildcard) {
            return ["\(field): \"\(name)\" mixes \"*\" with a name; use \"*\" alone or an exact service name"]
        }
        if !ConfigEntryNames.isServiceName(name) {
            return ["\(field): \"\(name)\" is not a valid service name: \(ConfigEntryNames.serviceNameRule)"]
        }
        return []
    }

    static func namespaceProblems(_ namespace: String, field: String) -> [String] {
        guard !namespace.isEmpty && namespace != defaultNamespace else { return [] }
        return ["\(field): only the \"\(defaultNamespace)\" namespace exists, but it is \"\(namespace)\""]
    }

    /// Exactly one of an L4 action or L7 permissions, and permissions only where they can be enforced.
    static func ruleProblems(
        action: Caravan_V1_IntentionAction, permissions: [Caravan_V1_IntentionPermission], destination: String,
        destinationProtocol: String, prefix: String
    ) -> [String] {
        let hasAction = action != .unspecified
        if hasAction && !permissions.isEmpty {
            return ["\(prefix)action: set either action (L4) or permissions (L7), not both"]
        }
        if !hasAction && permissions.isEmpty {
            return ["\(prefix)action: set an action (\"allow\" or \"deny\") or L7 permissions"]
        }
        if hasAction {
            return action == .allow || action == .deny ? [] : ["\(prefix)action: set \"allow\" or \"deny\""]
        }
        var problems: [String] = []
        if destination == IntentionPrecedence.wildcard {
            problems.append(
                "\(prefix)permissions: L7 permissions need a named destination service, not \"*\"")
        } else if !isHTTPBased(destinationProtocol) {
            let spoken = destinationProtocol.isEmpty ? "tcp" : destinationProtocol
            problems.append(
                "\(prefix)permissions: L7 permissions need an HTTP-based protocol; service \"\(destination)\" "
                    + "speaks \(spoken) — set it with a service-defaults entry")
        }
        problems += IntentionPermissionValidator.problems(permissions, field: prefix + "permissions")
        return problems
    }

    static func metaProblems(_ meta: [String: String], field: String) -> [String] {
        var problems: [String] = []
        if meta.count > maxMetaEntries {
            problems.append("\(field): at most \(maxMetaEntries) entries, but it has \(meta.count)")
        }
        for key in meta.keys.sorted() {
            let value = meta[key] ?? ""
            if key.isEmpty {
                problems.append("\(field): keys must not be empty")
            } else if key.count > maxMetaKeyLength {
                problems.append("\(field): key \"\(key)\" is longer than \(maxMetaKeyLength) characters")
            }
            if value.count > maxMetaValueLength {
                problems.append(
                    "\(field)[\"\(key)\"]: values are at most \(maxMetaValueLength) characters, "
                        + "but it has \(value.count)")
            }
        }
        return problems
    }

    static func descriptionProblems(_ description: String, field: String) -> [String] {
        guard description.count > maxDescriptionLength else { return [] }
        return ["\(field): at most \(maxDescriptionLength) characters, but it has \(description.count)"]
    }
}
