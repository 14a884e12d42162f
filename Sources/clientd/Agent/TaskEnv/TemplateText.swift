/// Inline template text in Go text/template syntax, limited to what clientd can evaluate today: literal text,
/// `{{ env "NAME" }}`, string literals, trim markers (`{{-`, `-}}`), comments (`{{/* ... */}}`) and custom
/// delimiters. Anything else is refused with the function (or keyword) it uses and its line, rather than being
/// rendered wrongly.
struct TemplateText: Sendable {
    var leftDelimiter: String
    var rightDelimiter: String

    init(leftDelimiter: String = "", rightDelimiter: String = "") {
        self.leftDelimiter = leftDelimiter.isEmpty ? "{{" : leftDelimiter
        self.rightDelimiter = rightDelimiter.isEmpty ? "}}" : rightDelimiter
    }

    /// Renders `text`, reading `env` values from `environment` (a missing variable renders as "").
    func render(_ text: String, environment: [String: String]) throws(TemplateSyntaxError) -> String {
        let input = Array(text.unicodeScalars)
        let left = Array(leftDelimiter.unicodeScalars)
        let right = Array(rightDelimiter.unicodeScalars)
        var output = String.UnicodeScalarView()
        var position = 0
        var trimNextText = false

        while position < input.count {
            let actionStart = Self.find(left, in: input, from: position) ?? input.count
            var literal = input[position..<actionStart]
            if trimNextText {
                literal = literal.drop(while: Self.isSpace)
                trimNextText = false
            }
            guard actionStart < input.count else {
                output.append(contentsOf: literal)
                break
            }
            let line = 1 + input[0..<actionStart].reduce(0) { $0 + ($1 == "\n" ? 1 : 0) }
            var cursor = actionStart + left.count
            // "{{- " trims the whitespace before the action.
            if cursor + 1 < input.count, input[cursor] == "-", Self.isSpace(input[cursor + 1]) {
                literal = Self.dropTrailingSpace(literal)
                cursor += 1
                while cursor < input.count, Self.isSpace(input[cursor]) { cursor += 1 }
            }
            output.append(contentsOf: literal)

            if Self.hasPrefix(["/", "*"], in: input, at: cursor) {
                guard let commentEnd = Self.find(["*", "/"], in: input, from: cursor + 2) else {
                    throw TemplateSyntaxError(line: line, message: "unclosed comment")
                }
                var after = commentEnd + 2
                while after < input.count, Self.isSpace(input[after]) { after += 1 }
                if after < input.count, input[after] == "-", after > commentEnd + 2 {
                    trimNextText = true
                    after += 1
                }
                guard Self.hasPrefix(right, in: input, at: after) else {
                    throw TemplateSyntaxError(line: line, message: "comment ends before closing delimiter")
                }
                position = after + right.count
                continue
            }

            guard let actionEnd = Self.findClosing(right, in: input, from: cursor) else {
                throw TemplateSyntaxError(line: line, message: "unclosed action")
            }
            var body = input[cursor..<actionEnd]
            // " -}}" trims the whitespace after the action.
            if body.count >= 2, body[body.endIndex - 1] == "-", Self.isSpace(body[body.endIndex - 2]) {
                body = body.dropLast()
                trimNextText = true
            }
            let value = try evaluate(String(String.UnicodeScalarView(body)), line: line, environment: environment)
            output.append(contentsOf: value.unicodeScalars)
            position = actionEnd + right.count
        }
        return String(output)
    }

    /// The value of one action's body.
    private func evaluate(
        _ body: String, line: Int, environment: [String: String]
    ) throws(TemplateSyntaxError) -> String {
        let commands = try TemplateTokens.pipeline(body, line: line)
        guard let first = commands.first, let head = first.first else {
            throw TemplateSyntaxError(line: line, message: "missing value for command")
        }
        for command in commands.dropFirst() {
            if case .identifier(let name)? = command.first {
                throw TemplateSyntaxError(line: line, message: Self.unsupported(name))
            }
            throw TemplateSyntaxError(line: line, message: "pipelines are not supported yet")
        }
        switch head {
        case .string(let value):
            guard first.count == 1 else {
                throw TemplateSyntaxError(line: line, message: "unexpected arguments after a string")
            }
            return value
        case .identifier("env"):
            guard first.count == 2, case .string(let name) = first[1] else {
                throw TemplateSyntaxError(line: line, message: "function \"env\" takes one string argument")
            }
            return environment[name] ?? ""
        case .identifier(let name):
            throw TemplateSyntaxError(line: line, message: Self.unsupported(name))
        case .other(let text):
            throw TemplateSyntaxError(line: line, message: "\"\(text)\" is not supported yet")
        }
    }

    private static let keywords: Set<String> = [
        "range", "if", "else", "end", "with", "define", "template", "block", "break", "continue", "nil", "true",
        "false",
    ]

    private static func unsupported(_ name: String) -> String {
        keywords.contains(name) ? "\"\(name)\" is not supported yet" : "function \"\(name)\" is not supported yet"
    }

    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r"
    }

    private static func dropTrailingSpace(_ text: ArraySlice<Unicode.Scalar>) -> ArraySlice<Unicode.Scalar> {
        var end = text.endIndex
        while end > text.startIndex, isSpace(text[end - 1]) { end -= 1 }
        return text[text.startIndex..<end]
    }

    private static func hasPrefix(_ needle: [Unicode.Scalar], in input: [Unicode.Scalar], at index: Int) -> Bool {
        guard index + needle.count <= input.count else { return false }
        for offset in 0..<needle.count where input[index + offset] != needle[offset] { return false }
        return true
    }

    private static func find(_ needle: [Unicode.Scalar], in input: [Unicode.Scalar], from start: Int) -> Int? {
        var index = start
        while index + needle.count <= input.count {
            if hasPrefix(needle, in: input, at: index) { return index }
            index += 1
        }
        return nil
    }

    /// The closing delimiter of an action, skipping delimiters inside string literals.
    private static func findClosing(_ right: [Unicode.Scalar], in input: [Unicode.Scalar], from start: Int) -> Int? {
        var index = start
        while index < input.count {
            let scalar = input[index]
            if scalar == "\"" || scalar == "`" {
                index += 1
                while index < input.count, input[index] != scalar {
                    if scalar == "\"", input[index] == "\\" { index += 1 }
                    index += 1
                }
                index += 1
                continue
            }
            if hasPrefix(right, in: input, at: index) { return index }
            index += 1
        }
        return nil
    }
}

/// A template problem at a line of the template text.
struct TemplateSyntaxError: Error, Equatable {
    var line: Int
    var message: String
}
