import CaravanProto

/// How intentions and their parts are written in messages and decision reasons.
enum IntentionText {
    /// `web → api`.
    static func pair(_ source: String, _ destination: String) -> String {
        "\(source) → \(destination)"
    }

    static func pair(_ intention: Caravan_V1_Intention) -> String {
        pair(intention.sourceName, intention.destinationName)
    }

    /// `allow` or `deny`; anything else is enforced as a deny and said so.
    static func action(_ action: Caravan_V1_IntentionAction) -> String {
        switch action {
        case .allow: "allow"
        case .deny: "deny"
        default: "no action, so deny"
        }
    }

    /// `path_prefix "/admin", methods [POST], header x-user present`: the parts of an HTTP match that are set.
    static func summary(_ http: Caravan_V1_IntentionHTTPPermission) -> String {
        var parts: [String] = []
        if !http.pathExact.isEmpty { parts.append("path_exact \"\(http.pathExact)\"") }
        if !http.pathPrefix.isEmpty { parts.append("path_prefix \"\(http.pathPrefix)\"") }
        if !http.pathRegex.isEmpty { parts.append("path_regex \"\(http.pathRegex)\"") }
        if !http.methods.isEmpty {
            parts.append("methods [\(http.methods.map { $0.uppercased() }.joined(separator: ", "))]")
        }
        parts += http.header.map(summary)
        return parts.isEmpty ? "any request" : parts.joined(separator: ", ")
    }

    static func summary(_ header: Caravan_V1_HTTPHeaderMatch) -> String {
        let rule =
            if header.present {
                "present"
            } else if !header.exact.isEmpty {
                "exact \"\(header.exact)\""
            } else if !header.prefix.isEmpty {
                "prefix \"\(header.prefix)\""
            } else if !header.suffix.isEmpty {
                "suffix \"\(header.suffix)\""
            } else {
                "regex \"\(header.regex)\""
            }
        return "header \(header.name.lowercased()) \(header.invert ? "not " : "")\(rule)"
    }
}
