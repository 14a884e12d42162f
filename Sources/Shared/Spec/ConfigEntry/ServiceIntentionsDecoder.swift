import CaravanProto
import HCL

/// Reads the body of a `service-intentions` entry: one source per calling service, L4 or L7.
enum ServiceIntentionsDecoder {

    static let keys = ["Sources"]
    static let actions: [(String, Caravan_V1_IntentionAction)] = [("allow", .allow), ("deny", .deny)]

    static func decode(_ reader: BodyReader, _ problems: inout DiagnosticCollector) -> Caravan_V1_ServiceIntentions {
        var intentions = Caravan_V1_ServiceIntentions()
        var seen: [String: Int] = [:]
        for (position, element) in problems.blocks(reader, "Sources").enumerated() {
            let source = self.source(element, &problems)
            let key = source.namespace + "/" + source.name
            if let first = seen[key] {
                problems.add(
                    "Sources[\(position)] repeats the source \"\(source.name)\" of Sources[\(first)]; "
                        + "give each source one entry", at: element.range)
            } else {
                seen[key] = position
            }
            intentions.sources.append(source)
        }
        return intentions
    }

    static func source(_ element: BlockReader, _ problems: inout DiagnosticCollector) -> Caravan_V1_SourceIntention {
        let body = element.body
        problems.checkKeys(
            body, ["Name", "Namespace", "Action", "Permissions", "Precedence", "Description", "Meta"])
        var source = Caravan_V1_SourceIntention()
        if let name = ConfigEntryNames.service(body, "Name", &problems, allowWildcard: true) {
            source.name = name
        } else if !body.has("Name") {
            problems.add("a source needs a Name (a service name or \"*\")", at: element.range)
        }
        if let namespace = problems.string(body, "Namespace") {
            if namespace != "*" && !ConfigEntryNames.isDNSLabel(namespace) {
                problems.add(
                    "Namespace \"\(namespace)\" is not a valid name: \(ConfigEntryNames.labelRule)",
                    at: SpecDecoding.valueRange(body, "Namespace"))
            }
            source.namespace = namespace
        }
        if let action = action(body, &problems) { source.action = action }
        let permissions = problems.blocks(body, "Permissions")
        source.permissions = permissions.map { permission($0, &problems) }
        let label = source.name.isEmpty ? "a source" : "source \"\(source.name)\""
        if body.has("Action") && body.has("Permissions") {
            problems.add(
                "\(label) sets both Action and Permissions; use Action for L4 or Permissions for L7, not both",
                at: SpecDecoding.keyRange(body, "Permissions"))
        } else if !body.has("Action") && permissions.isEmpty {
            problems.add("\(label) needs an Action or Permissions", at: element.range)
        }
        if let precedence = problems.int(body, "Precedence", in: 0...Int(UInt32.max)) {
            source.precedence = UInt32(precedence)
        }
        source.description_p = problems.string(body, "Description") ?? ""
        source.meta = problems.stringMap(body, "Meta") ?? [:]
        return source
    }

    /// `Action = "allow"` or `"deny"`.
    static func action(_ reader: BodyReader, _ problems: inout DiagnosticCollector) -> Caravan_V1_IntentionAction? {
        guard let name = problems.choice(reader, "Action", actions.map(\.0)) else { return nil }
        return actions.first { $0.0 == name }?.1
    }

    /// `{ Action = "allow", HTTP { PathPrefix = "/v1", Methods = ["GET"] } }`.
    static func permission(_ element: BlockReader, _ problems: inout DiagnosticCollector)
        -> Caravan_V1_IntentionPermission
    {
        let body = element.body
        problems.checkKeys(body, ["Action", "HTTP"])
        var permission = Caravan_V1_IntentionPermission()
        if let action = action(body, &problems) {
            permission.action = action
        } else if !body.has("Action") {
            problems.add("a permission needs an Action (\"allow\" or \"deny\")", at: element.range)
        }
        guard let http = problems.block(body, "HTTP") else {
            if !body.has("HTTP") { problems.add("a permission needs an HTTP match", at: element.range) }
            return permission
        }
        let reader = http.body
        let keys = HTTPMatchDecoder.pathKeys + ["Methods", "Header"]
        problems.checkKeys(reader, keys)
        var match = Caravan_V1_IntentionHTTPPermission()
        let path = HTTPMatchDecoder.path(reader, &problems)
        match.pathExact = path.exact
        match.pathPrefix = path.prefix
        match.pathRegex = path.regex
        match.methods = HTTPMatchDecoder.methods(reader, &problems)
        match.header = HTTPMatchDecoder.headers(reader, &problems)
        if !keys.contains(where: reader.has) {
            problems.add(
                "HTTP must set at least one of PathExact, PathPrefix, PathRegex, Methods or Header", at: http.range)
        }
        permission.http = match
        return permission
    }
}
