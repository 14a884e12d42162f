/// One lexical token of a subset filter, with the column it starts at.
struct SubsetFilterToken: Equatable {
    enum Kind: Equatable {
        /// A bare word: selector, keyword or unquoted value.
        case word(String)
        /// A double-quoted value, unescaped.
        case quoted(String)
        case openParen
        case closeParen
        case equal
        case notEqual
        case end
    }

    var kind: Kind
    var column: Int

    /// How the token reads in an error message.
    var phrase: String {
        switch kind {
        case .word(let word): return "\"\(word)\""
        case .quoted(let text): return "the string \"\(text)\""
        case .openParen: return "\"(\""
        case .closeParen: return "\")\""
        case .equal: return "\"==\""
        case .notEqual: return "\"!=\""
        case .end: return "the end of the filter"
        }
    }
}

/// Splits a subset filter into tokens (Consul's bexpr syntax).
enum SubsetFilterLexer {
    static func tokens(_ text: String) throws(SubsetFilterError) -> [SubsetFilterToken] {
        let characters = Array(text)
        var tokens: [SubsetFilterToken] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            let column = index + 1
            if character.isWhitespace {
                index += 1
            } else if character == "(" || character == ")" {
                tokens.append(.init(kind: character == "(" ? .openParen : .closeParen, column: column))
                index += 1
            } else if character == "=" || character == "!" {
                guard index + 1 < characters.count, characters[index + 1] == "=" else {
                    throw SubsetFilterError(
                        column: column, message: "expected \"\(character)=\" but found \"\(character)\" alone")
                }
                tokens.append(.init(kind: character == "=" ? .equal : .notEqual, column: column))
                index += 2
            } else if character == "\"" {
                let (text, next) = try quoted(characters, from: index)
                tokens.append(.init(kind: .quoted(text), column: column))
                index = next
            } else {
                var word = ""
                while index < characters.count, isWordCharacter(characters[index]) {
                    word.append(characters[index])
                    index += 1
                }
                tokens.append(.init(kind: .word(word), column: column))
            }
        }
        tokens.append(.init(kind: .end, column: characters.count + 1))
        return tokens
    }

    private static func isWordCharacter(_ character: Character) -> Bool {
        !character.isWhitespace && !"()\"=!".contains(character)
    }

    /// The string starting at the quote at `start`, with `\"` and `\\` unescaped, and the index after it.
    private static func quoted(_ characters: [Character], from start: Int) throws(SubsetFilterError)
        -> (String, Int)
    {
        var text = ""
        var index = start + 1
        while index < characters.count {
            let character = characters[index]
            if character == "\"" { return (text, index + 1) }
            if character == "\\", index + 1 < characters.count {
                text.append(characters[index + 1])
                index += 2
                continue
            }
            text.append(character)
            index += 1
        }
        throw SubsetFilterError(column: start + 1, message: "this quoted string is never closed")
    }
}
