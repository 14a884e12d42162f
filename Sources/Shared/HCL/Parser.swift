/// Parses HCL native syntax into a syntax tree, recovering after errors to report as many as it can.
public enum HCLParser {
    /// The deepest nesting of blocks, brackets, braces, parentheses and templates that is accepted.
    public static let maximumNesting = 128
    /// The tallest expression tree accepted (long operator chains count one level per operator).
    public static let maximumExpressionDepth = 256

    public static func parse(_ source: String, filename: String) throws(Diagnostics) -> Body {
        try parse(bytes: Array(source.utf8), filename: filename)
    }

    public static func parse(bytes: [UInt8], filename: String) throws(Diagnostics) -> Body {
        let (body, diagnostics) = parseRecovering(bytes: bytes, filename: filename)
        if diagnostics.hasErrors { throw diagnostics }
        return body
    }

    /// Parses as much as possible and returns the body together with every diagnostic found.
    public static func parseRecovering(bytes: [UInt8], filename: String) -> (body: Body, diagnostics: Diagnostics) {
        var parser = ParserState(bytes: bytes, filename: filename)
        let body: Body
        do {
            body = try parser.parseFile()
        } catch {
            body = Body(items: [], range: parser.fileRange)
        }
        return (body, Diagnostics(parser.diagnostics).sorted())
    }

    /// Parses a single expression, such as the value of a `-var` flag.
    public static func parseExpression(_ source: String, filename: String) throws(Diagnostics) -> Expression {
        var parser = ParserState(bytes: Array(source.utf8), filename: filename)
        var expression = Expression(.literal(.null), range: parser.fileRange)
        do {
            parser.newlinesSignificant = [false]
            expression = try parser.parseExpression()
            let end = parser.peek()
            if end.kind != .endOfFile {
                parser.fail(token: end, "expected the end of the expression, but found \(end.phrase)")
            }
        } catch {}
        let diagnostics = Diagnostics(parser.diagnostics).sorted()
        if diagnostics.hasErrors { throw diagnostics }
        return expression
    }
}

struct ParserState {
    struct Abort: Error {}

    let tokens: [Token]
    let bytes: [UInt8]
    let filename: String
    var index = 0
    var diagnostics: [Diagnostic]
    var newlinesSignificant: [Bool] = [true]
    var nesting = 0
    /// Set after an error until the parser recovers, so one mistake yields one message.
    var panicking = false

    init(bytes: [UInt8], filename: String) {
        let (tokens, diagnostics) = Lexer.tokenize(bytes, filename: filename)
        self.tokens = tokens
        self.bytes = bytes
        self.filename = filename
        self.diagnostics = diagnostics
    }

    var fileRange: SourceRange {
        let end = tokens.last?.range.end ?? .start
        return SourceRange(filename: filename, start: .start, end: end)
    }

    // MARK: Tokens

    /// The next token, skipping newlines where they are not significant.
    mutating func peek() -> Token {
        if newlinesSignificant.last == false {
            while tokens[index].kind == .newline { index += 1 }
        }
        return tokens[index]
    }

    @discardableResult
    mutating func next() -> Token {
        let token = peek()
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    /// The token `offset` places ahead, newlines included.
    func raw(_ offset: Int = 0) -> Token {
        tokens[min(index + offset, tokens.count - 1)]
    }

    mutating func skipNewlines() {
        while tokens[index].kind == .newline { index += 1 }
    }

    /// The first token after the next one that is not a newline.
    func peekSecond() -> Token {
        var cursor = index
        while cursor < tokens.count - 1 && tokens[cursor].kind == .newline { cursor += 1 }
        cursor += 1
        while cursor < tokens.count - 1 && tokens[cursor].kind == .newline { cursor += 1 }
        return tokens[min(cursor, tokens.count - 1)]
    }

    func text(of range: SourceRange) -> String {
        let start = max(0, min(range.start.offset, bytes.count))
        let end = max(start, min(range.end.offset, bytes.count))
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    // MARK: Errors and limits

    mutating func fail(_ message: String, at range: SourceRange) {
        if !panicking { diagnostics.append(.error(message, at: range)) }
        panicking = true
    }

    /// Reports an error at `token`, unless the lexer already reported that token as invalid.
    mutating func fail(token: Token, _ message: String) {
        if token.kind == .invalid {
            panicking = true
        } else {
            fail(message, at: token.range)
        }
    }

    mutating func enter(_ range: SourceRange) throws(Abort) {
        nesting += 1
        guard nesting <= HCLParser.maximumNesting else {
            diagnostics.append(
                .error(
                    "nesting is too deep; at most \(HCLParser.maximumNesting) levels of nested blocks, "
                        + "brackets, braces, parentheses and templates are allowed",
                    at: range))
            throw Abort()
        }
    }

    mutating func leave() {
        nesting -= 1
    }

    mutating func make(_ kind: Expression.Kind, _ range: SourceRange) throws(Abort) -> Expression {
        let expression = Expression(kind, range: range)
        guard expression.depth <= HCLParser.maximumExpressionDepth else {
            diagnostics.append(
                .error(
                    "expression is too complex; it nests more than \(HCLParser.maximumExpressionDepth) "
                        + "operations", at: range))
            throw Abort()
        }
        return expression
    }

    func placeholder(_ range: SourceRange) -> Expression {
        Expression(.literal(.null), range: range)
    }

    /// Where a skip starting at `start` stops: a newline outside brackets, an unmatched `}`, or the end;
    /// with `commas`, also just after a comma outside brackets.
    func recoveryPoint(from start: Int, commas: Bool = false) -> Int {
        var cursor = start
        var depth = 0
        while cursor < tokens.count - 1 {
            switch tokens[cursor].kind {
            case .openBrace, .openBracket, .openParen, .openQuote, .openHeredoc, .templateInterpolation,
                .templateDirective:
                depth += 1
            case .closeBrace:
                if depth == 0 { return cursor }
                depth -= 1
            case .closeBracket, .closeParen, .closeQuote, .closeHeredoc, .templateSequenceEnd:
                depth = max(0, depth - 1)
            case .newline where depth == 0:
                return cursor
            case .comma where depth == 0 && commas:
                return cursor + 1
            default:
                break
            }
            cursor += 1
        }
        return cursor
    }

    mutating func recover(from start: Int, commas: Bool = false) {
        let stop = recoveryPoint(from: start, commas: commas)
        index = stop >= index ? stop : recoveryPoint(from: index, commas: commas)
        panicking = false
    }

    // MARK: Bodies

    mutating func parseFile() throws(Abort) -> Body {
        let items = try parseBodyItems(inBlock: false)
        return Body(items: items, range: fileRange)
    }

    /// Parses items up to the end of the file or, inside a block, up to the unmatched `}` (left unread).
    mutating func parseBodyItems(inBlock: Bool) throws(Abort) -> [BodyItem] {
        var items: [BodyItem] = []
        var seen: [String: SourceRange] = [:]
        while true {
            skipNewlines()
            let token = raw()
            switch token.kind {
            case .endOfFile:
                return items
            case .closeBrace where inBlock:
                return items
            case .identifier:
                let start = index
                if let item = try parseItem() {
                    if case .attribute(let attribute) = item {
                        if let previous = seen[attribute.name] {
                            diagnostics.append(
                                .error(
                                    "duplicate attribute \"\(attribute.name)\"; it was already set at "
                                        + "line \(previous.start.line), column \(previous.start.column)",
                                    at: attribute.nameRange))
                        } else {
                            seen[attribute.name] = attribute.nameRange
                        }
                    }
                    items.append(item)
                }
                if panicking { recover(from: start) }
            case .closeBrace:
                fail("unexpected \"}\"; there is no open block to close", at: token.range)
                index += 1
                panicking = false
            default:
                let start = index
                fail(token: token, "expected an attribute name or a block type, but found \(token.phrase)")
                recover(from: start)
                if index == start && raw().kind != .newline && raw().kind != .endOfFile { index += 1 }
            }
        }
    }

    mutating func parseItem() throws(Abort) -> BodyItem? {
        let name = next()
        let after = raw()
        switch after.kind {
        case .equal:
            index += 1
            let expression = try parseExpression()
            if !panicking {
                let end = raw()
                if end.kind != .newline && end.kind != .endOfFile {
                    fail(
                        token: end,
                        "expected a newline after the value of \"\(name.text)\" (each attribute goes on its own "
                            + "line), but found \(end.phrase)")
                }
            }
            let attribute = Attribute(
                name: name.text, nameRange: name.range, expression: expression,
                range: name.range.through(expression.range))
            return .attribute(attribute)
        case .identifier, .openQuote, .openBrace:
            return try parseBlock(type: name).map(BodyItem.block)
        default:
            fail(
                token: after,
                "expected \"=\" after \"\(name.text)\" to set an attribute, or \"{\" to open a block, "
                    + "but found \(after.phrase)")
            return nil
        }
    }

    mutating func parseLabels() throws(Abort) -> [Label]? {
        var labels: [Label] = []
        while true {
            let token = raw()
            if token.kind == .identifier {
                labels.append(Label(value: token.text, range: token.range))
                index += 1
            } else if token.kind == .openQuote {
                guard let label = parseQuotedLabel() else { return nil }
                labels.append(label)
            } else {
                return labels
            }
        }
    }

    mutating func parseQuotedLabel() -> Label? {
        let open = next()
        var value = ""
        while true {
            let token = raw()
            switch token.kind {
            case .templateLiteral:
                value += token.text
                index += 1
            case .closeQuote:
                index += 1
                return Label(value: value, range: open.range.through(token.range))
            default:
                fail(token: token, "a block label must be a plain quoted string, without ${...} or %{...}")
                return nil
            }
        }
    }

    mutating func parseBlock(type: Token) throws(Abort) -> Block? {
        guard let labels = try parseLabels() else { return nil }
        let open = raw()
        guard open.kind == .openBrace else {
            let hint =
                labels.count == 1 ? "; to set an attribute, write \(type.text) = \(jsonQuoted(labels[0].value))" : ""
            fail(token: open, "expected \"{\" to open block \"\(type.text)\", but found \(open.phrase)\(hint)")
            return nil
        }
        let openIndex = index
        index += 1
        try enter(open.range)
        defer { leave() }
        var items: [BodyItem] = []
        if raw().kind == .newline {
            items = try parseBodyItems(inBlock: true)
            guard raw().kind == .closeBrace else {
                fail("block \"\(type.text)\" is not closed; expected \"}\" before the end of the file", at: open.range)
                return nil
            }
        } else {
            items = try parseSingleLineBody(type: type.text)
            if panicking {
                skipToMatchingBrace(from: openIndex)
                panicking = false
                return nil
            }
        }
        let close = next()
        let block = Block(
            type: type.text, typeRange: type.range, labels: labels,
            body: Body(items: items, range: open.range.through(close.range)),
            range: type.range.through(close.range))
        let end = raw()
        if end.kind != .newline && end.kind != .endOfFile && end.kind != .closeBrace {
            fail(
                token: end,
                "expected a newline after the closing \"}\" of block \"\(type.text)\", but found \(end.phrase)")
        }
        return block
    }

    /// `{ name = value }` on one line: at most one attribute and no nested blocks.
    mutating func parseSingleLineBody(type: String) throws(Abort) -> [BodyItem] {
        let first = raw()
        if first.kind == .closeBrace { return [] }
        guard first.kind == .identifier, raw(1).kind == .equal else {
            if first.kind == .identifier {
                fail(
                    "a single-line block cannot contain a nested block; put the body of \"\(type)\" "
                        + "on separate lines", at: first.range)
            } else {
                fail(token: first, "expected an attribute or \"}\" in block \"\(type)\", but found \(first.phrase)")
            }
            return []
        }
        index += 2
        let expression = try parseExpression()
        if panicking { return [] }
        let end = raw()
        if end.kind != .closeBrace {
            if end.kind == .identifier {
                fail(
                    "a single-line block may contain only one attribute; put \"\(end.text)\" and the other "
                        + "attributes of \"\(type)\" on separate lines", at: end.range)
            } else {
                fail(token: end, "expected \"}\" to close the single-line block \"\(type)\", but found \(end.phrase)")
            }
            return []
        }
        let attribute = Attribute(
            name: first.text, nameRange: first.range, expression: expression,
            range: first.range.through(expression.range))
        return [.attribute(attribute)]
    }

    /// Moves past the `}` matching the `{` at `openIndex`, or to the end of the file.
    mutating func skipToMatchingBrace(from openIndex: Int) {
        var cursor = openIndex + 1
        var depth = 0
        while cursor < tokens.count - 1 {
            switch tokens[cursor].kind {
            case .openBrace, .templateInterpolation, .templateDirective: depth += 1
            case .templateSequenceEnd: depth = max(0, depth - 1)
            case .closeBrace:
                if depth == 0 {
                    index = cursor + 1
                    return
                }
                depth -= 1
            default: break
            }
            cursor += 1
        }
        index = cursor
    }

    // MARK: Expressions

    mutating func parseExpression() throws(Abort) -> Expression {
        let condition = try parseBinary(minimum: 1)
        let question = peek()
        guard question.kind == .question else { return condition }
        next()
        try enter(question.range)
        defer { leave() }
        let then = try parseExpression()
        let colon = peek()
        guard colon.kind == .colon else {
            fail(token: colon, "expected \":\" after the true result of the conditional, but found \(colon.phrase)")
            return condition
        }
        next()
        let otherwise = try parseExpression()
        return try make(
            .conditional(condition: condition, then: then, else: otherwise), condition.range.through(otherwise.range))
    }

    func binaryOperator(_ kind: TokenKind) -> BinaryOperator? {
        switch kind {
        case .star: .multiply
        case .slash: .divide
        case .percent: .modulo
        case .plus: .add
        case .minus: .subtract
        case .less: .less
        case .greater: .greater
        case .lessEqual: .lessEqual
        case .greaterEqual: .greaterEqual
        case .equalEqual: .equal
        case .notEqual: .notEqual
        case .and: .and
        case .or: .or
        default: nil
        }
    }

    mutating func parseBinary(minimum: Int) throws(Abort) -> Expression {
        var lhs = try parseUnary()
        while !panicking, let op = binaryOperator(peek().kind), op.precedence >= minimum {
            next()
            let rhs = try parseBinary(minimum: op.precedence + 1)
            lhs = try make(.binary(op, lhs, rhs), lhs.range.through(rhs.range))
        }
        return lhs
    }

    mutating func parseUnary() throws(Abort) -> Expression {
        let token = peek()
        guard token.kind == .minus || token.kind == .bang else {
            let primary = try parsePrimary()
            return try parsePostfix(primary)
        }
        next()
        try enter(token.range)
        defer { leave() }
        let operand = try parseUnary()
        let range = token.range.through(operand.range)
        if token.kind == .minus, case .literal(.number(let number)) = operand.kind, !number.text.hasPrefix("-"),
            let negated = Number(text: "-" + number.text)
        {
            return Expression(.literal(.number(negated)), range: range)
        }
        return try make(.unary(token.kind == .minus ? .negate : .not, operand), range)
    }

    mutating func parsePostfix(_ base: Expression) throws(Abort) -> Expression {
        var result = base
        while !panicking {
            let token = peek()
            switch token.kind {
            case .dot:
                next()
                let name = peek()
                if name.kind == .star {
                    next()
                    var steps: [SplatStep] = []
                    while peek().kind == .dot, let step = try parseDotStep() { steps.append(contentsOf: step) }
                    result = try make(.splat(result, steps: steps), result.range.through(name.range))
                } else {
                    guard let steps = try parseDotStep(afterDot: true) else { return result }
                    for step in steps {
                        switch step {
                        case .attribute(let attribute, let range):
                            result = try make(
                                .getAttribute(result, name: attribute, nameRange: range), result.range.through(range))
                        case .index(let key):
                            result = try make(.index(result, key: key), result.range.through(key.range))
                        }
                    }
                }
            case .openBracket:
                next()
                try enter(token.range)
                defer { leave() }
                newlinesSignificant.append(false)
                defer { newlinesSignificant.removeLast() }
                if peek().kind == .star && peekSecond().kind == .closeBracket {
                    next()
                    let close = next()
                    var steps: [SplatStep] = []
                    while !panicking {
                        if peek().kind == .dot, let step = try parseDotStep() {
                            steps.append(contentsOf: step)
                        } else if peek().kind == .openBracket, peekSecond().kind != .star {
                            let open = next()
                            let key = try parseExpression()
                            guard expectCloseBracket(open) else { break }
                            steps.append(.index(key))
                        } else {
                            break
                        }
                    }
                    result = try make(.splat(result, steps: steps), result.range.through(close.range))
                } else {
                    let key = try parseExpression()
                    let close = peek()
                    guard expectCloseBracket(token) else { return result }
                    result = try make(.index(result, key: key), result.range.through(close.range))
                }
            default:
                return result
            }
        }
        return result
    }

    mutating func expectCloseBracket(_ open: Token) -> Bool {
        let close = peek()
        guard close.kind == .closeBracket else {
            fail(token: close, "expected \"]\" to close the index, but found \(close.phrase)")
            return false
        }
        next()
        return true
    }

    /// After a `.` (consumed when `afterDot`): an attribute name, or a legacy index such as `.0`.
    mutating func parseDotStep(afterDot: Bool = false) throws(Abort) -> [SplatStep]? {
        if !afterDot {
            guard peek().kind == .dot else { return nil }
            next()
        }
        let token = peek()
        switch token.kind {
        case .identifier:
            next()
            return [.attribute(token.text, token.range)]
        case .number:
            next()
            let parts = token.text.split(separator: ".", omittingEmptySubsequences: false)
            var steps: [SplatStep] = []
            for part in parts {
                guard let value = Int(part) else {
                    fail(token: token, "expected an attribute name or a whole-number index after \".\"")
                    return nil
                }
                steps.append(.index(Expression(.literal(.int(value)), range: token.range)))
            }
            return steps
        default:
            fail(token: token, "expected an attribute name after \".\", but found \(token.phrase)")
            return nil
        }
    }

    mutating func parsePrimary() throws(Abort) -> Expression {
        let token = peek()
        switch token.kind {
        case .number:
            next()
            guard let number = Number(text: token.text) else {
                fail(
                    "number is too large (\(token.text.count) characters); numbers must be smaller than about 1.8e308",
                    at: token.range)
                return placeholder(token.range)
            }
            return Expression(.literal(.number(number)), range: token.range)
        case .identifier:
            next()
            switch token.text {
            case "true": return Expression(.literal(.bool(true)), range: token.range)
            case "false": return Expression(.literal(.bool(false)), range: token.range)
            case "null": return Expression(.literal(.null), range: token.range)
            default: break
            }
            if raw().kind == .openParen { return try parseCall(name: token) }
            return Expression(.variable(token.text), range: token.range)
        case .openQuote:
            next()
            return try parseTemplate(open: token, close: .closeQuote, flush: false)
        case .openHeredoc:
            next()
            return try parseTemplate(open: token, close: .closeHeredoc, flush: token.strip)
        case .openBracket:
            return try parseTuple()
        case .openBrace:
            return try parseObject()
        case .openParen:
            next()
            try enter(token.range)
            defer { leave() }
            newlinesSignificant.append(false)
            defer { newlinesSignificant.removeLast() }
            let inner = try parseExpression()
            let close = peek()
            guard close.kind == .closeParen else {
                fail(token: close, "expected \")\" to close the parenthesis, but found \(close.phrase)")
                return inner
            }
            next()
            return try make(.parenthesized(inner), token.range.through(close.range))
        default:
            fail(token: token, "expected an expression, but found \(token.phrase)")
            return placeholder(token.range)
        }
    }

    mutating func parseCall(name: Token) throws(Abort) -> Expression {
        let open = next()
        try enter(open.range)
        defer { leave() }
        newlinesSignificant.append(false)
        defer { newlinesSignificant.removeLast() }
        var arguments: [Expression] = []
        var expand = false
        while !panicking && peek().kind != .closeParen {
            arguments.append(try parseExpression())
            if panicking { break }
            let separator = peek()
            if separator.kind == .ellipsis {
                next()
                expand = true
                if peek().kind != .closeParen {
                    fail(token: peek(), "\"...\" may only follow the last argument of \"\(name.text)\"")
                }
                break
            }
            if separator.kind == .comma {
                next()
            } else if separator.kind != .closeParen {
                fail(
                    token: separator,
                    "expected \",\" or \")\" after an argument of \"\(name.text)\", but found \(separator.phrase)")
            }
        }
        let close = peek()
        guard !panicking, close.kind == .closeParen else {
            fail(token: close, "expected \")\" to close the call to \"\(name.text)\", but found \(close.phrase)")
            return placeholder(name.range)
        }
        next()
        return try make(
            .functionCall(name: name.text, nameRange: name.range, arguments: arguments, expandFinal: expand),
            name.range.through(close.range))
    }

    mutating func parseTuple() throws(Abort) -> Expression {
        let open = next()
        try enter(open.range)
        defer { leave() }
        newlinesSignificant.append(false)
        defer { newlinesSignificant.removeLast() }
        if peek().kind == .identifier && peek().text == "for" && peekSecond().kind == .identifier {
            return try parseFor(open: open, object: false)
        }
        var elements: [Expression] = []
        while !panicking && peek().kind != .closeBracket && peek().kind != .endOfFile {
            elements.append(try parseExpression())
            if panicking { break }
            let separator = peek()
            if separator.kind == .comma {
                next()
            } else if separator.kind != .closeBracket && separator.kind != .endOfFile {
                fail(token: separator, "expected \",\" or \"]\" after a list element, but found \(separator.phrase)")
            }
        }
        let close = peek()
        guard !panicking, close.kind == .closeBracket else {
            fail("list is not closed; expected \"]\" before \(close.kind.phrase)", at: open.range)
            return placeholder(open.range)
        }
        next()
        return try make(.tuple(elements), open.range.through(close.range))
    }

    mutating func parseObject() throws(Abort) -> Expression {
        let open = next()
        try enter(open.range)
        defer { leave() }
        newlinesSignificant.append(true)
        defer { newlinesSignificant.removeLast() }
        skipNewlines()
        if raw().kind == .identifier && raw().text == "for" && peekSecond().kind == .identifier {
            newlinesSignificant.append(false)
            defer { newlinesSignificant.removeLast() }
            return try parseFor(open: open, object: true)
        }
        var items: [ObjectItem] = []
        while true {
            skipNewlines()
            let token = raw()
            if token.kind == .closeBrace || token.kind == .endOfFile { break }
            let start = index
            let item = try parseObjectItem()
            if let item { items.append(item) }
            if panicking {
                recover(from: start, commas: true)
                continue
            }
            let separator = raw()
            switch separator.kind {
            case .comma:
                index += 1
            case .newline, .closeBrace:
                break
            default:
                if item?.isBlock == true { break }
                let key = item?.name.map { " \"\($0)\"" } ?? ""
                fail(
                    token: separator,
                    "expected a comma or a newline after the value of\(key) in the object, "
                        + "but found \(separator.phrase)")
                recover(from: start, commas: true)
            }
        }
        let close = raw()
        guard close.kind == .closeBrace else {
            fail("object is not closed; expected \"}\" before \(close.kind.phrase)", at: open.range)
            return placeholder(open.range)
        }
        index += 1
        return try make(.object(items), open.range.through(close.range))
    }

    /// Whether the tokens from `cursor` are labels followed by `{`, i.e. an HCL1-style nested block.
    func isBlockStart(at start: Int) -> Bool {
        var cursor = start
        while cursor < tokens.count {
            switch tokens[cursor].kind {
            case .identifier:
                cursor += 1
            case .openQuote:
                cursor += 1
                while cursor < tokens.count && tokens[cursor].kind == .templateLiteral { cursor += 1 }
                guard cursor < tokens.count, tokens[cursor].kind == .closeQuote else { return false }
                cursor += 1
            case .openBrace:
                return true
            default:
                return false
            }
        }
        return false
    }

    mutating func parseObjectItem() throws(Abort) -> ObjectItem? {
        let token = raw()
        if token.kind == .identifier {
            let after = raw(1)
            if after.kind == .equal || after.kind == .colon {
                index += 2
                let value = try parseExpression()
                return ObjectItem(
                    key: .name(token.text), keyRange: token.range, value: value, form: .attribute,
                    range: token.range.through(value.range))
            }
            if isBlockStart(at: index + 1) {
                index += 1
                guard let labels = try parseLabels() else { return nil }
                let value = try parseObject()
                return ObjectItem(
                    key: .name(token.text), keyRange: token.range, value: value, form: .block(labels: labels),
                    range: token.range.through(value.range))
            }
        }
        let keyExpression = try parseBinary(minimum: 1)
        if panicking { return nil }
        let separator = raw()
        guard separator.kind == .equal || separator.kind == .colon else {
            fail(token: separator, "expected \"=\" or \":\" after the object key, but found \(separator.phrase)")
            return nil
        }
        index += 1
        let value = try parseExpression()
        let key: ObjectItem.Key
        switch keyExpression.kind {
        case .literal(.string(let name)), .variable(let name): key = .name(name)
        default: key = .expression(keyExpression)
        }
        return ObjectItem(
            key: key, keyRange: keyExpression.range, value: value, form: .attribute,
            range: keyExpression.range.through(value.range))
    }

    mutating func expectIdentifier(_ what: String) -> Token? {
        let token = peek()
        guard token.kind == .identifier else {
            fail(token: token, "expected \(what), but found \(token.phrase)")
            return nil
        }
        next()
        return token
    }

    mutating func parseFor(open: Token, object: Bool) throws(Abort) -> Expression {
        let closeKind: TokenKind = object ? .closeBrace : .closeBracket
        next()
        guard let first = expectIdentifier("a variable name after \"for\"") else { return placeholder(open.range) }
        var keyVariable: String?
        var valueVariable = first.text
        if peek().kind == .comma {
            next()
            guard let second = expectIdentifier("a second variable name after \",\"") else {
                return placeholder(open.range)
            }
            keyVariable = first.text
            valueVariable = second.text
        }
        let inToken = peek()
        guard inToken.kind == .identifier && inToken.text == "in" else {
            fail(
                token: inToken, "expected \"in\" after the variables of the for expression, but found \(inToken.phrase)"
            )
            return placeholder(open.range)
        }
        next()
        let collection = try parseExpression()
        let colon = peek()
        guard colon.kind == .colon else {
            fail(token: colon, "expected \":\" after the collection of the for expression, but found \(colon.phrase)")
            return placeholder(open.range)
        }
        next()
        var keyExpression: Expression?
        var grouping = false
        if object {
            keyExpression = try parseExpression()
            let arrow = peek()
            guard arrow.kind == .fatArrow else {
                fail(token: arrow, "expected \"=>\" between the key and the value, but found \(arrow.phrase)")
                return placeholder(open.range)
            }
            next()
        }
        let valueExpression = try parseExpression()
        if object && peek().kind == .ellipsis {
            next()
            grouping = true
        }
        var condition: Expression?
        if peek().kind == .identifier && peek().text == "if" {
            next()
            condition = try parseExpression()
        }
        let close = peek()
        guard !panicking, close.kind == closeKind else {
            fail(
                token: close,
                "expected \(closeKind.phrase) to end the for expression, but found \(close.phrase)")
            return placeholder(open.range)
        }
        next()
        let loop = ForExpression(
            keyVariable: keyVariable, valueVariable: valueVariable, collection: collection,
            keyExpression: keyExpression, valueExpression: valueExpression, condition: condition, grouping: grouping)
        return try make(.forExpression(loop), open.range.through(close.range))
    }

    // MARK: Templates

    enum Directive {
        case ifCondition(Expression)
        case elseBranch
        case endIf
        case forLoop(key: String?, value: String, collection: Expression)
        case endFor
    }

    enum FlatPart {
        case literal(String, SourceRange)
        case interpolation(Expression, String, SourceRange, stripBefore: Bool, stripAfter: Bool)
        case directive(Directive, SourceRange, stripBefore: Bool, stripAfter: Bool)
    }

    mutating func parseTemplate(open: Token, close: TokenKind, flush: Bool) throws(Abort) -> Expression {
        try enter(open.range)
        defer { leave() }
        var flat: [FlatPart] = []
        var end = open.range
        scan: while true {
            let token = raw()
            switch token.kind {
            case .templateLiteral:
                flat.append(.literal(token.text, token.range))
                index += 1
            case .templateInterpolation:
                index += 1
                newlinesSignificant.append(false)
                let expression = try parseExpression()
                let sequenceEnd = peek()
                newlinesSignificant.removeLast()
                guard !panicking else { return placeholder(open.range) }
                guard sequenceEnd.kind == .templateSequenceEnd else {
                    fail(
                        token: sequenceEnd,
                        "expected \"}\" to close the interpolation, but found \(sequenceEnd.phrase)")
                    return placeholder(open.range)
                }
                index += 1
                let range = token.range.through(sequenceEnd.range)
                flat.append(
                    .interpolation(
                        expression, text(of: range), range, stripBefore: token.strip, stripAfter: sequenceEnd.strip))
            case .templateDirective:
                index += 1
                guard let part = try parseDirective(open: token) else { return placeholder(open.range) }
                flat.append(part)
            case close:
                index += 1
                end = token.range
                break scan
            default:
                fail(token: token, "unterminated template; found \(token.kind.phrase) before its end")
                return placeholder(open.range)
            }
        }
        if flush { flat = Self.stripIndentation(flat) }
        flat = Self.applyStripMarkers(flat)
        guard let parts = buildTemplate(flat) else { return placeholder(open.range) }
        let range = open.range.through(end)
        var literalText = ""
        for part in parts {
            guard case .literal(let text, _) = part else {
                return try make(.template(parts), range)
            }
            literalText += text
        }
        return Expression(.literal(.string(literalText)), range: range)
    }

    mutating func parseDirective(open: Token) throws(Abort) -> FlatPart? {
        newlinesSignificant.append(false)
        defer { newlinesSignificant.removeLast() }
        guard let keyword = expectIdentifier("if, else, endif, for or endfor after \"%{\"") else { return nil }
        let directive: Directive
        switch keyword.text {
        case "if":
            directive = .ifCondition(try parseExpression())
        case "else":
            directive = .elseBranch
        case "endif":
            directive = .endIf
        case "endfor":
            directive = .endFor
        case "for":
            guard let first = expectIdentifier("a variable name after \"for\"") else { return nil }
            var key: String?
            var value = first.text
            if peek().kind == .comma {
                next()
                guard let second = expectIdentifier("a second variable name after \",\"") else { return nil }
                key = first.text
                value = second.text
            }
            let inToken = peek()
            guard inToken.kind == .identifier && inToken.text == "in" else {
                fail(token: inToken, "expected \"in\" after the variables of %{ for }, but found \(inToken.phrase)")
                return nil
            }
            next()
            directive = .forLoop(key: key, value: value, collection: try parseExpression())
        default:
            fail(
                "unknown template directive \"\(keyword.text)\"; expected if, else, endif, for or endfor",
                at: keyword.range)
            return nil
        }
        if panicking { return nil }
        let end = peek()
        guard end.kind == .templateSequenceEnd else {
            fail(token: end, "expected \"}\" to close the %{ \(keyword.text) } directive, but found \(end.phrase)")
            return nil
        }
        next()
        return .directive(directive, open.range.through(end.range), stripBefore: open.strip, stripAfter: end.strip)
    }

    static func isBlank(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t"
    }

    /// For `<<-` heredocs: removes the smallest indentation shared by all lines that have content.
    static func stripIndentation(_ flat: [FlatPart]) -> [FlatPart] {
        var smallest = Int.max
        var atLineStart = true
        for (position, part) in flat.enumerated() {
            switch part {
            case .literal(let text, _):
                if atLineStart {
                    let indent = text.unicodeScalars.prefix(while: isBlank).count
                    let rest = text.unicodeScalars.dropFirst(indent)
                    let blankLine = rest.first == "\n" || (rest.isEmpty && position == flat.count - 1)
                    if !blankLine { smallest = min(smallest, indent) }
                }
                atLineStart = text.hasSuffix("\n")
            default:
                if atLineStart { smallest = 0 }
                atLineStart = false
            }
        }
        guard smallest != Int.max, smallest > 0 else { return flat }
        var result: [FlatPart] = []
        atLineStart = true
        for part in flat {
            if case .literal(let text, let range) = part {
                var stripped = text
                if atLineStart {
                    let indent = min(smallest, text.unicodeScalars.prefix(while: isBlank).count)
                    stripped = String(String.UnicodeScalarView(text.unicodeScalars.dropFirst(indent)))
                }
                atLineStart = text.hasSuffix("\n")
                result.append(.literal(stripped, range))
            } else {
                atLineStart = false
                result.append(part)
            }
        }
        return result
    }

    /// Applies `~`: `${~`/`%{~` trims whitespace before the sequence, `~}` trims whitespace after it.
    static func applyStripMarkers(_ flat: [FlatPart]) -> [FlatPart] {
        var result = flat
        func isSpace(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isWhitespace }
        for position in result.indices {
            let before: Bool
            let after: Bool
            switch result[position] {
            case .literal: continue
            case .interpolation(_, _, _, let stripBefore, let stripAfter): (before, after) = (stripBefore, stripAfter)
            case .directive(_, _, let stripBefore, let stripAfter): (before, after) = (stripBefore, stripAfter)
            }
            if before, position > 0, case .literal(let text, let range) = result[position - 1] {
                let kept = text.unicodeScalars.reversed().drop(while: isSpace).reversed()
                result[position - 1] = .literal(String(String.UnicodeScalarView(kept)), range)
            }
            if after, position + 1 < result.count, case .literal(let text, let range) = result[position + 1] {
                let kept = text.unicodeScalars.drop(while: isSpace)
                result[position + 1] = .literal(String(String.UnicodeScalarView(kept)), range)
            }
        }
        return result
    }

    struct TemplateFrame {
        enum Kind {
            case root
            case conditional(Expression)
            case loop(key: String?, value: String, collection: Expression)
        }

        var kind: Kind
        var range: SourceRange
        var parts: [TemplatePart] = []
        var thenParts: [TemplatePart]?
    }

    mutating func buildTemplate(_ flat: [FlatPart]) -> [TemplatePart]? {
        var stack = [TemplateFrame(kind: .root, range: fileRange)]
        for part in flat {
            switch part {
            case .literal(let text, let range):
                if !text.isEmpty { stack[stack.count - 1].parts.append(.literal(text, range)) }
            case .interpolation(let expression, let source, let range, _, _):
                stack[stack.count - 1].parts.append(.interpolation(expression, source: source, range))
            case .directive(let directive, let range, _, _):
                switch directive {
                case .ifCondition(let condition):
                    stack.append(TemplateFrame(kind: .conditional(condition), range: range))
                case .forLoop(let key, let value, let collection):
                    stack.append(
                        TemplateFrame(kind: .loop(key: key, value: value, collection: collection), range: range))
                case .elseBranch:
                    guard let top = stack.last, case .conditional = top.kind, top.thenParts == nil else {
                        fail("unexpected %{ else }; there is no open %{ if } for it to belong to", at: range)
                        return nil
                    }
                    stack[stack.count - 1].thenParts = top.parts
                    stack[stack.count - 1].parts = []
                case .endIf:
                    guard stack.count > 1, let top = stack.popLast(), case .conditional(let condition) = top.kind else {
                        fail("unexpected %{ endif }; there is no open %{ if } for it to close", at: range)
                        return nil
                    }
                    let then = top.thenParts ?? top.parts
                    let otherwise = top.thenParts == nil ? [] : top.parts
                    stack[stack.count - 1].parts.append(
                        .conditional(condition: condition, then: then, else: otherwise, top.range.through(range)))
                case .endFor:
                    guard stack.count > 1, let top = stack.popLast(),
                        case .loop(let key, let value, let collection) = top.kind
                    else {
                        fail("unexpected %{ endfor }; there is no open %{ for } for it to close", at: range)
                        return nil
                    }
                    stack[stack.count - 1].parts.append(
                        .loop(key: key, value: value, collection: collection, body: top.parts, top.range.through(range))
                    )
                }
            }
        }
        if stack.count > 1, let open = stack.last {
            let missing = if case .loop = open.kind { "%{ endfor }" } else { "%{ endif }" }
            fail("this directive is never closed; expected \(missing) before the end of the template", at: open.range)
            return nil
        }
        return stack.first?.parts ?? []
    }
}
