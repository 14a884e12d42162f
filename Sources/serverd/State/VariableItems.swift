/// The rules for a variable's items: at least one, well-formed keys, at most 64 KiB of keys and values.
///
/// Keys are letters, digits, `_`, `-` and `.`. Nomad's templates read a key like `db_password` as a field
/// (`.db_password`); keys with `-` or `.` stay allowed, as in Nomad, and are read with `index`. Spaces, `=`,
/// `/` and other punctuation are refused because `ctl var put k=v` and template lookups could not name them.
public enum VariableItems {
    /// Nomad's limit: the UTF-8 bytes of every key plus every value.
    public static let maximumSize = 64 * 1024

    static let allowedPunctuation: Set<Character> = ["_", "-", "."]

    /// The UTF-8 size that counts against `maximumSize`.
    public static func size(_ items: [String: String]) -> Int {
        items.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
    }

    /// Every problem with the items of the variable at `path`, each a sentence naming the key; empty when valid.
    public static func problems(with items: [String: String], path: String) -> [String] {
        guard !items.isEmpty else { return ["variable \"\(path)\" has no items; give at least one KEY=VALUE"] }
        var problems: [String] = []
        for key in items.keys.sorted() {
            if key.isEmpty {
                problems.append("variable \"\(path)\" has an item with an empty key")
            } else if let bad = key.first(where: { !isAllowed($0) }) {
                problems.append(
                    "variable \"\(path)\" item key \"\(key)\" contains \(VariablePath.quoted(bad)); "
                        + "allowed are letters, digits and _ - ."
                )
            }
        }
        let total = size(items)
        if total > maximumSize {
            problems.append(
                "variable \"\(path)\" items are \(total) bytes; the limit is \(maximumSize) (64 KiB of keys and values)"
            )
        }
        return problems
    }

    static func isAllowed(_ character: Character) -> Bool {
        guard character.isASCII else { return false }
        return character.isLetter || character.isNumber || allowedPunctuation.contains(character)
    }
}
