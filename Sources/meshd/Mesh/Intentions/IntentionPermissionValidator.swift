import CaravanProto

/// Checks L7 permissions: an action and an HTTP match each, and matchers that can be enforced as written.
enum IntentionPermissionValidator {
    static func problems(_ permissions: [Caravan_V1_IntentionPermission], field: String) -> [String] {
        var problems: [String] = []
        for (index, permission) in permissions.enumerated() {
            let prefix = "\(field)[\(index)]"
            if permission.action != .allow && permission.action != .deny {
                problems.append("\(prefix).action: set \"allow\" or \"deny\"")
            }
            guard permission.hasHTTP else {
                problems.append("\(prefix).http: required; a permission matches HTTP requests")
                continue
            }
            problems += httpProblems(permission.http, field: prefix + ".http")
        }
        return problems
    }

    static func httpProblems(_ http: Caravan_V1_IntentionHTTPPermission, field: String) -> [String] {
        var problems: [String] = []
        let paths = [
            ("path_exact", http.pathExact), ("path_prefix", http.pathPrefix), ("path_regex", http.pathRegex),
        ].filter { !$0.1.isEmpty }
        if paths.count > 1 {
            problems.append("\(field): set only one of path_exact, path_prefix, path_regex")
        }
        if paths.isEmpty && http.methods.isEmpty && http.header.isEmpty {
            problems.append("\(field): set at least one of path_exact, path_prefix, path_regex, methods or header")
        }
        for (key, value) in paths {
            if key == "path_regex" {
                problems += regexProblems(value, field: "\(field).\(key)")
            } else if !value.hasPrefix("/") {
                problems.append("\(field).\(key): must start with \"/\", but it is \"\(value)\"")
            }
        }
        problems += methodProblems(http.methods, field: field + ".methods")
        for (index, header) in http.header.enumerated() {
            problems += headerProblems(header, field: "\(field).header[\(index)]")
        }
        return problems
    }

    /// Known methods in any case (they are upper-cased on write), each once.
    static func methodProblems(_ methods: [String], field: String) -> [String] {
        var problems: [String] = []
        var seen: Set<String> = []
        for method in methods {
            let upper = method.uppercased()
            if !HTTPMethods.isKnown(upper) {
                problems.append(
                    "\(field): \"\(method)\" is not an HTTP method; use one of "
                        + HTTPMethods.known.joined(separator: ", "))
            } else if !seen.insert(upper).inserted {
                problems.append("\(field): \"\(upper)\" is listed more than once")
            }
        }
        return problems
    }

    static func headerProblems(_ header: Caravan_V1_HTTPHeaderMatch, field: String) -> [String] {
        var problems: [String] = []
        if header.name.isEmpty {
            problems.append("\(field).name: required")
        }
        let set = [
            ("present", header.present), ("exact", !header.exact.isEmpty), ("prefix", !header.prefix.isEmpty),
            ("suffix", !header.suffix.isEmpty), ("regex", !header.regex.isEmpty),
        ].filter(\.1).map(\.0)
        if set.isEmpty {
            problems.append("\(field): set exactly one of present, exact, prefix, suffix, regex")
        } else if set.count > 1 {
            problems.append(
                "\(field): set exactly one of present, exact, prefix, suffix, regex, but it sets "
                    + set.joined(separator: " and "))
        }
        if !header.regex.isEmpty {
            problems += regexProblems(header.regex, field: field + ".regex")
        }
        return problems
    }

    static func regexProblems(_ pattern: String, field: String) -> [String] {
        do {
            _ = try WholeMatchRegex(pattern)
            return []
        } catch {
            return ["\(field): \(error.description)"]
        }
    }
}
