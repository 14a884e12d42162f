import CaravanRPC

/// The rules for a variable's path, following Nomad's: "jobs/api/db", not "/jobs/api/" or "jobs/../etc".
///
/// A path is 1 to 128 characters of letters, digits and `- _ ~ / .`; `/` separates segments, and no segment is
/// empty, `.` or `..`, so a path names one place whatever a template or file-system view does with it.
public enum VariablePath {
    public static let maximumLength = 128

    static let allowedPunctuation: Set<Character> = ["-", "_", "~", "/", "."]

    /// What is wrong with `path`, as a sentence naming it; nil when it is valid.
    public static func problem(with path: String) -> String? {
        guard !path.isEmpty else { return "variable path is empty" }
        guard path.count <= maximumLength else {
            return "variable path \"\(path.prefix(40))…\" is \(path.count) characters; the limit is \(maximumLength)"
        }
        if let bad = path.first(where: { !isAllowed($0) }) {
            return "variable path \"\(path)\" contains \(quoted(bad)); allowed are letters, digits and - _ ~ / ."
        }
        if path.hasPrefix("/") || path.hasSuffix("/") {
            return "variable path \"\(path)\" must not start or end with \"/\""
        }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        if segments.contains(where: \.isEmpty) {
            return "variable path \"\(path)\" has an empty segment (\"//\")"
        }
        if let dots = segments.first(where: { $0 == "." || $0 == ".." }) {
            return "variable path \"\(path)\" has a \"\(dots)\" segment"
        }
        return nil
    }

    /// Throws INVALID_ARGUMENT naming the problem when `path` is not a valid variable path.
    public static func validate(_ path: String) throws {
        if let problem = problem(with: path) { throw CaravanError.invalidArgument(problem) }
    }

    static func isAllowed(_ character: Character) -> Bool {
        guard character.isASCII else { return false }
        return character.isLetter || character.isNumber || allowedPunctuation.contains(character)
    }

    static func quoted(_ character: Character) -> String {
        let scalars = character.unicodeScalars
        if scalars.count == 1, let scalar = scalars.first, scalar.value < 0x20 || scalar.value == 0x7F {
            return "a control character (U+\(String(scalar.value, radix: 16, uppercase: true)))"
        }
        return "\"\(character)\""
    }
}
