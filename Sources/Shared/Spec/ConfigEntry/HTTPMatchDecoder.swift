import CaravanProto
import Foundation
import HCL

/// Reads the HTTP request matchers that service-router routes and L7 intention permissions share.
enum HTTPMatchDecoder {

    static let pathKeys = ["PathExact", "PathPrefix", "PathRegex"]
    static let methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"]

    /// The path matcher: at most one of PathExact, PathPrefix and PathRegex.
    struct Path {
        var exact = ""
        var prefix = ""
        var regex = ""
    }

    static func path(_ reader: BodyReader, _ problems: inout DiagnosticCollector) -> Path {
        var path = Path()
        var written: [String] = []
        for key in pathKeys where reader.has(key) {
            guard let value = problems.string(reader, key) else { continue }
            written.append(key)
            let range = SpecDecoding.valueRange(reader, key)
            switch key {
            case "PathExact", "PathPrefix":
                if !value.hasPrefix("/") {
                    problems.add("\(key) must start with \"/\", but it is \"\(value)\"", at: range)
                }
                if key == "PathExact" { path.exact = value } else { path.prefix = value }
            default:
                if !isRegex(value) {
                    problems.add("\(key) \"\(value)\" is not a valid regular expression", at: range)
                }
                path.regex = value
            }
        }
        if written.count > 1 {
            problems.add(
                "at most one of PathExact, PathPrefix and PathRegex may be set, but \(written[0]) and "
                    + "\(written[1]) are", at: SpecDecoding.keyRange(reader, written[1]))
        }
        return path
    }

    /// `Methods`: known HTTP methods in upper case, each once.
    static func methods(_ reader: BodyReader, _ problems: inout DiagnosticCollector) -> [String] {
        guard let list = problems.strings(reader, "Methods") else { return [] }
        let range = SpecDecoding.valueRange(reader, "Methods")
        var seen: Set<String> = []
        for method in list {
            if !methods.contains(method) {
                problems.add(
                    "Methods: \"\(method)\" is not an HTTP method; use one of " + methods.joined(separator: ", "),
                    at: range)
            } else if !seen.insert(method).inserted {
                problems.add("Methods: \"\(method)\" is listed more than once", at: range)
            }
        }
        return list
    }

    /// `Header = [{ Name, Present|Exact|Prefix|Suffix|Regex, Invert }]`.
    static func headers(_ reader: BodyReader, _ problems: inout DiagnosticCollector) -> [Caravan_V1_HTTPHeaderMatch] {
        problems.blocks(reader, "Header").map { element in
            let body = element.body
            problems.checkKeys(body, ["Name", "Present", "Exact", "Prefix", "Suffix", "Regex", "Invert"])
            var match = Caravan_V1_HTTPHeaderMatch()
            match.name = requiredName(body, element, "Header", &problems)
            match.present = problems.bool(body, "Present") ?? false
            match.exact = problems.string(body, "Exact") ?? ""
            match.prefix = problems.string(body, "Prefix") ?? ""
            match.suffix = problems.string(body, "Suffix") ?? ""
            match.regex = regex(body, "Regex", &problems)
            match.invert = problems.bool(body, "Invert") ?? false
            let set = [
                ("Present", match.present), ("Exact", !match.exact.isEmpty), ("Prefix", !match.prefix.isEmpty),
                ("Suffix", !match.suffix.isEmpty), ("Regex", !match.regex.isEmpty),
            ]
            exactlyOne(set, element, "Header", match.name, &problems)
            return match
        }
    }

    /// `QueryParam = [{ Name, Present|Exact|Regex }]`.
    static func queryParams(_ reader: BodyReader, _ problems: inout DiagnosticCollector)
        -> [Caravan_V1_HTTPQueryParamMatch]
    {
        problems.blocks(reader, "QueryParam").map { element in
            let body = element.body
            problems.checkKeys(body, ["Name", "Present", "Exact", "Regex"])
            var match = Caravan_V1_HTTPQueryParamMatch()
            match.name = requiredName(body, element, "QueryParam", &problems)
            match.present = problems.bool(body, "Present") ?? false
            match.exact = problems.string(body, "Exact") ?? ""
            match.regex = regex(body, "Regex", &problems)
            let set = [("Present", match.present), ("Exact", !match.exact.isEmpty), ("Regex", !match.regex.isEmpty)]
            exactlyOne(set, element, "QueryParam", match.name, &problems)
            return match
        }
    }

    static func requiredName(
        _ body: BodyReader, _ element: BlockReader, _ what: String, _ problems: inout DiagnosticCollector
    ) -> String {
        let name = problems.string(body, "Name")
        if name == "" || (name == nil && !body.has("Name")) {
            problems.add("\(what) needs a Name", at: element.range)
        }
        return name ?? ""
    }

    static func exactlyOne(
        _ set: [(String, Bool)], _ element: BlockReader, _ what: String, _ name: String,
        _ problems: inout DiagnosticCollector
    ) {
        let chosen = set.filter(\.1).map(\.0)
        guard chosen.count != 1 else { return }
        let options = SpecDecoding.alternatives(set.map(\.0))
        let label = name.isEmpty ? what : "\(what) \"\(name)\""
        if chosen.isEmpty {
            problems.add("\(label) needs exactly one of \(options)", at: element.range)
        } else {
            problems.add(
                "\(label) needs exactly one of \(options), but sets " + chosen.joined(separator: " and "),
                at: element.range)
        }
    }

    /// A regex attribute that must compile.
    static func regex(_ body: BodyReader, _ name: String, _ problems: inout DiagnosticCollector) -> String {
        guard let pattern = problems.string(body, name) else { return "" }
        if !isRegex(pattern) {
            problems.add(
                "\(name) \"\(pattern)\" is not a valid regular expression", at: SpecDecoding.valueRange(body, name))
        }
        return pattern
    }

    static func isRegex(_ pattern: String) -> Bool {
        (try? NSRegularExpression(pattern: pattern)) != nil
    }
}
