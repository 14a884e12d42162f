import CaravanProto

/// Renders intentions as Consul's CLI does: `SRC => DST (action)` lines, `Key = value` blocks and tables.
enum IntentionFormatter {
    /// `Created: web => api (allow)`.
    static func created(_ intention: Caravan_V1_Intention) -> String {
        "Created: " + pair(intention)
    }

    /// `web => api (allow)`, or `(L7 (2 permissions))` for an intention with permissions.
    static func pair(_ intention: Caravan_V1_Intention) -> String {
        let source = service(intention.sourceName, intention.sourceNamespace)
        let destination = service(intention.destinationName, intention.destinationNamespace)
        return "\(source) => \(destination) (\(action(intention)))"
    }

    /// `allow`, `deny`, or `L7 (n permissions)` when the intention decides per request.
    static func action(_ intention: Caravan_V1_Intention) -> String {
        guard intention.permissions.isEmpty else {
            return "L7 (\(DisplayText.count(intention.permissions.count, "permission")))"
        }
        return action(intention.action)
    }

    static func action(_ action: Caravan_V1_IntentionAction) -> String {
        switch action {
        case .allow: "allow"
        case .deny: "deny"
        default: "unspecified"
        }
    }

    /// `web`, or `NAMESPACE/web` outside the default namespace.
    static func service(_ name: String, _ namespace: String) -> String {
        namespace.isEmpty || namespace == "default" ? name : "\(namespace)/\(name)"
    }

    /// Every intention, in the precedence order the server returned.
    static func table(_ intentions: [Caravan_V1_Intention]) -> String {
        guard !intentions.isEmpty else { return "No intentions found" }
        let rows = intentions.map { intention in
            [
                intention.id.isEmpty ? "-" : intention.id,
                service(intention.sourceName, intention.sourceNamespace), "->",
                service(intention.destinationName, intention.destinationNamespace), action(intention),
                "\(intention.precedence)",
            ]
        }
        return ColumnTable.render(
            header: ["ID", "Source", "", "Destination", "Action", "Precedence"], rows: rows)
    }

    /// The lines of `intention match`: first evaluated first.
    static func matches(_ intentions: [Caravan_V1_Intention]) -> String {
        guard !intentions.isEmpty else { return "No intentions match" }
        return intentions.map(pair).joined(separator: "\n")
    }

    /// `Allowed` or `Denied`, then why.
    static func check(_ response: Caravan_V1_CheckIntentionResponse) -> String {
        var lines = [response.allowed ? "Allowed" : "Denied"]
        if !response.reason.isEmpty { lines.append("Reason: \(response.reason)") }
        if !response.matchedIntentionID.isEmpty { lines.append("Intention: \(response.matchedIntentionID)") }
        return lines.joined(separator: "\n")
    }

    /// One intention as `Key = value` lines, then its permissions in the order they are tried.
    static func block(_ intention: Caravan_V1_Intention) -> String {
        var rows: [(String, String)] = [
            ("Source", service(intention.sourceName, intention.sourceNamespace)),
            ("Destination", service(intention.destinationName, intention.destinationNamespace)),
            ("Action", action(intention)),
            ("ID", intention.id.isEmpty ? "-" : intention.id),
            ("Precedence", "\(intention.precedence)"),
        ]
        if !intention.description_p.isEmpty { rows.append(("Description", intention.description_p)) }
        for key in intention.meta.keys.sorted() { rows.append(("Meta[\(key)]", intention.meta[key] ?? "")) }
        if intention.hasCreatedAt { rows.append(("Created At", VarFormatter.time(intention.createdAt))) }
        if intention.hasUpdatedAt { rows.append(("Updated At", VarFormatter.time(intention.updatedAt))) }
        rows.append(("Modify Index", "\(intention.modifyIndex)"))
        var text = KeyValueTable.render(rows)
        guard !intention.permissions.isEmpty else { return text }
        let permissionRows = intention.permissions.enumerated().map { index, permission in
            ["\(index + 1)", action(permission.action), PermissionText.describe(permission.http)]
        }
        text += "\n\nPermissions\n" + ColumnTable.render(header: ["#", "Action", "Match"], rows: permissionRows)
        return text
    }
}

/// Describes what an L7 permission matches, in words: `path prefix /admin, methods GET HEAD, header x-debug present`.
enum PermissionText {
    static func describe(_ http: Caravan_V1_IntentionHTTPPermission) -> String {
        var parts: [String] = []
        if !http.pathExact.isEmpty { parts.append("path \(http.pathExact)") }
        if !http.pathPrefix.isEmpty { parts.append("path prefix \(http.pathPrefix)") }
        if !http.pathRegex.isEmpty { parts.append("path regex \(http.pathRegex)") }
        if !http.methods.isEmpty { parts.append("methods " + http.methods.joined(separator: " ")) }
        parts += http.header.map(header)
        return parts.isEmpty ? "any request" : parts.joined(separator: ", ")
    }

    /// `header x-env = canary`, `header x-debug not present`, `header user-agent prefix curl/`.
    static func header(_ match: Caravan_V1_HTTPHeaderMatch) -> String {
        let not = match.invert ? "not " : ""
        let test: String
        if match.present {
            test = "\(not)present"
        } else if !match.exact.isEmpty {
            test = (match.invert ? "!= " : "= ") + match.exact
        } else if !match.prefix.isEmpty {
            test = "\(not)prefix \(match.prefix)"
        } else if !match.suffix.isEmpty {
            test = "\(not)suffix \(match.suffix)"
        } else if !match.regex.isEmpty {
            test = "\(not)matching \(match.regex)"
        } else {
            test = match.invert ? "absent" : "present"
        }
        return "header \(match.name) \(test)"
    }
}
