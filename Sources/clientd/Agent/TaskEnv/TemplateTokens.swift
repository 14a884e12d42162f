/// Splits an action body into commands (separated by `|`) of tokens.
enum TemplateTokens: Equatable {
    case identifier(String)
    case string(String)
    /// Anything else (fields like `.Name`, variables like `$x`, numbers, parentheses), kept as written.
    case other(String)

    static func pipeline(_ body: String, line: Int) throws(TemplateSyntaxError) -> [[TemplateTokens]] {
        let input = Array(body.unicodeScalars)
        var commands: [[TemplateTokens]] = [[]]
        var index = 0
        while index < input.count {
            let scalar = input[index]
            if TemplateText.isSpace(scalar) {
                index += 1
            } else if scalar == "|" {
                commands.append([])
                index += 1
            } else if scalar == "\"" {
                var value = String.UnicodeScalarView()
                index += 1
                var closed = false
                while index < input.count {
                    let next = input[index]
                    if next == "\"" {
                        closed = true
                        index += 1
                        break
                    }
                    if next == "\\", index + 1 < input.count {
                        index += 1
                        value.append(unescape(input[index]))
                    } else {
                        value.append(next)
                    }
                    index += 1
                }
                guard closed else { throw TemplateSyntaxError(line: line, message: "unterminated quoted string") }
                commands[commands.count - 1].append(.string(String(value)))
            } else if scalar == "`" {
                guard let end = input[(index + 1)...].firstIndex(of: "`") else {
                    throw TemplateSyntaxError(line: line, message: "unterminated raw quoted string")
                }
                let value = String(String.UnicodeScalarView(input[(index + 1)..<end]))
                commands[commands.count - 1].append(.string(value))
                index = end + 1
            } else {
                var end = index
                while end < input.count, !TemplateText.isSpace(input[end]), input[end] != "|", input[end] != "\"" {
                    end += 1
                }
                let word = String(String.UnicodeScalarView(input[index..<end]))
                let isIdentifier =
                    word.unicodeScalars.first.map { $0 == "_" || $0.properties.isAlphabetic } == true
                    && word.unicodeScalars.allSatisfy {
                        $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0)
                    }
                commands[commands.count - 1].append(isIdentifier ? .identifier(word) : .other(word))
                index = end
            }
        }
        return commands
    }

    private static func unescape(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        switch scalar {
        case "n": "\n"
        case "t": "\t"
        case "r": "\r"
        default: scalar
        }
    }
}
