import HCL

/// The naming rules config entries check: service names, subset names and namespaces.
/// Public so meshd validates intentions written through its API with the same rules as entries read from files.
public enum ConfigEntryNames {
    /// Letters, digits and dashes, 1 to 63 characters, starting and ending with a letter or digit (Nomad's rule).
    public static func isServiceName(_ name: String) -> Bool {
        isLabel(name) { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    /// A DNS label: lowercase letters, digits and dashes, 1 to 63 characters, no dash at either end.
    public static func isDNSLabel(_ name: String) -> Bool {
        isLabel(name) { $0.isASCII && ($0.isLowercase || $0.isNumber) }
    }

    private static func isLabel(_ name: String, _ isAlphanumeric: (Character) -> Bool) -> Bool {
        guard let first = name.first, let last = name.last, name.count <= 63 else { return false }
        guard isAlphanumeric(first), isAlphanumeric(last) else { return false }
        return name.allSatisfy { $0 == "-" || isAlphanumeric($0) }
    }

    public static let serviceNameRule =
        "use letters, digits and dashes, at most 63 characters, starting and ending with a letter or digit"

    public static let labelRule =
        "use lowercase letters, digits and dashes, at most 63 characters, not starting or ending "
        + "with a dash"

    /// Reads an optional service name; `allowWildcard` accepts `"*"` (intentions).
    static func service(
        _ reader: BodyReader, _ name: String, _ problems: inout DiagnosticCollector, allowWildcard: Bool = false
    ) -> String? {
        guard let value = problems.string(reader, name) else { return nil }
        if allowWildcard && value == "*" { return value }
        guard isServiceName(value) else {
            problems.add(
                "\(name) \"\(value)\" is not a valid service name: \(serviceNameRule)",
                at: SpecDecoding.valueRange(reader, name))
            return nil
        }
        return value
    }

    /// Reads an optional subset name, namespace or datacenter, all DNS labels.
    static func label(_ reader: BodyReader, _ name: String, _ problems: inout DiagnosticCollector) -> String? {
        guard let value = problems.string(reader, name) else { return nil }
        guard isDNSLabel(value) else {
            problems.add(
                "\(name) \"\(value)\" is not a valid name: \(labelRule)", at: SpecDecoding.valueRange(reader, name))
            return nil
        }
        return value
    }
}
