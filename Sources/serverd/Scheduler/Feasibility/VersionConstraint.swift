/// Checks a version against a constraint list such as ">= 1.2.0, < 2.0" (the "version" and "semver" operands).
///
/// Versions compare as dotted numbers; a prerelease suffix ("-beta1") sorts before its release and compares
/// lexically against other prereleases, which covers what node fingerprints report.
enum VersionConstraint {
    struct Version: Comparable {
        var numbers: [Int]
        var prerelease: String

        init?(_ text: String) {
            var body = Substring(text.trimmingSpaces())
            if body.hasPrefix("v") { body = body.dropFirst() }
            if let plus = body.firstIndex(of: "+") { body = body[..<plus] }
            var pre = ""
            if let dash = body.firstIndex(of: "-") {
                pre = String(body[body.index(after: dash)...])
                body = body[..<dash]
            }
            var parsed: [Int] = []
            for part in body.split(separator: ".", omittingEmptySubsequences: false) {
                guard let value = Int(part), value >= 0 else { return nil }
                parsed.append(value)
            }
            guard !parsed.isEmpty else { return nil }
            numbers = parsed
            prerelease = pre
        }

        static func < (lhs: Version, rhs: Version) -> Bool {
            let width = max(lhs.numbers.count, rhs.numbers.count)
            for index in 0..<width {
                let left = index < lhs.numbers.count ? lhs.numbers[index] : 0
                let right = index < rhs.numbers.count ? rhs.numbers[index] : 0
                if left != right { return left < right }
            }
            switch (lhs.prerelease.isEmpty, rhs.prerelease.isEmpty) {
            case (true, true), (true, false): return false
            case (false, true): return true
            case (false, false): return lhs.prerelease < rhs.prerelease
            }
        }

        static func == (lhs: Version, rhs: Version) -> Bool {
            !(lhs < rhs) && !(rhs < lhs)
        }
    }

    /// True when `version` satisfies every comma-separated clause; unparsable input never satisfies.
    static func satisfies(_ version: String, _ constraints: String) -> Bool {
        guard let actual = Version(version) else { return false }
        let clauses = constraints.split(separator: ",").map { $0.trimmingSpaces() }
        guard !clauses.isEmpty else { return false }
        for clause in clauses {
            guard check(actual, clause) else { return false }
        }
        return true
    }

    private static func check(_ actual: Version, _ clause: String) -> Bool {
        let operators = ["~>", ">=", "<=", "!=", ">", "<", "="]
        var op = "="
        var rest = Substring(clause)
        for candidate in operators where rest.hasPrefix(candidate) {
            op = candidate
            rest = rest.dropFirst(candidate.count)
            break
        }
        let text = rest.trimmingSpaces()
        guard let wanted = Version(text) else { return false }
        switch op {
        case ">=": return !(actual < wanted)
        case "<=": return !(wanted < actual)
        case ">": return wanted < actual
        case "<": return actual < wanted
        case "!=": return actual != wanted
        case "~>":
            // Pessimistic: at least `wanted`, below the next release of its second-to-last component.
            guard !(actual < wanted) else { return false }
            var upper = wanted.numbers
            if upper.count > 1 { upper.removeLast() }
            upper[upper.count - 1] += 1
            let prefix = Array(actual.numbers.prefix(upper.count))
            let padded = prefix + Array(repeating: 0, count: upper.count - prefix.count)
            return padded.lexicographicallyPrecedes(upper)
        default: return actual == wanted
        }
    }
}

extension StringProtocol {
    /// Trims spaces and tabs from both ends.
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while slice.first == " " || slice.first == "\t" { slice = slice.dropFirst() }
        while slice.last == " " || slice.last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
