/// Recursive-descent parser for subset filters: `or` binds loosest, then `and`, then `not`, then parentheses
/// and single matches.
struct SubsetFilterParser {
    static let keywords: Set<String> = ["and", "or", "not", "in", "contains", "is", "empty", "matches"]

    private let tokens: [SubsetFilterToken]
    private var position = 0

    init(tokens: [SubsetFilterToken]) {
        self.tokens = tokens
    }

    mutating func parse() throws(SubsetFilterError) -> SubsetExpression {
        let expression = try parseOr()
        guard current.kind == .end else {
            throw error(at: current, "expected \"and\", \"or\" or the end of the filter but found \(current.phrase)")
        }
        return expression
    }

    private var current: SubsetFilterToken { tokens[min(position, tokens.count - 1)] }
    private var following: SubsetFilterToken { tokens[min(position + 1, tokens.count - 1)] }

    private func isKeyword(_ token: SubsetFilterToken, _ keyword: String) -> Bool {
        token.kind == .word(keyword)
    }

    private func error(at token: SubsetFilterToken, _ message: String) -> SubsetFilterError {
        SubsetFilterError(column: token.column, message: message)
    }

    private mutating func parseOr() throws(SubsetFilterError) -> SubsetExpression {
        var left = try parseAnd()
        while isKeyword(current, "or") {
            position += 1
            left = .or(left, try parseAnd())
        }
        return left
    }

    private mutating func parseAnd() throws(SubsetFilterError) -> SubsetExpression {
        var left = try parseNot()
        while isKeyword(current, "and") {
            position += 1
            left = .and(left, try parseNot())
        }
        return left
    }

    private mutating func parseNot() throws(SubsetFilterError) -> SubsetExpression {
        if isKeyword(current, "not") {
            position += 1
            return .not(try parseNot())
        }
        if current.kind == .openParen {
            let open = current
            position += 1
            let inner = try parseOr()
            guard current.kind == .closeParen else {
                throw error(
                    at: current,
                    "expected \")\" to close the \"(\" at column \(open.column) but found \(current.phrase)")
            }
            position += 1
            return inner
        }
        return .match(try parseMatch())
    }

    /// `<selector> <operator> [value]`, or `<value> [not] in <selector>`.
    private mutating func parseMatch() throws(SubsetFilterError) -> SubsetMatch {
        let first = current
        if isKeyword(following, "in")
            || (isKeyword(following, "not") && isKeyword(tokens[min(position + 2, tokens.count - 1)], "in"))
        {
            let value = try parseValue()
            let negated = isKeyword(current, "not")
            position += negated ? 2 : 1
            let selector = try parseSelector()
            return try checked(
                SubsetMatch(selector: selector.0, operation: negated ? .notContains : .contains, value: value),
                selector.1, first)
        }
        let selector = try parseSelector()
        let operatorToken = current
        let operation: SubsetOperator
        switch operatorToken.kind {
        case .equal: operation = .equal
        case .notEqual: operation = .notEqual
        case .word("is"):
            position += 1
            let negated = isKeyword(current, "not")
            if negated { position += 1 }
            guard isKeyword(current, "empty") else {
                throw error(
                    at: current, "expected \"empty\" after \"is\(negated ? " not" : "")\" but found \(current.phrase)")
            }
            position += 1
            return try checked(
                SubsetMatch(selector: selector.0, operation: negated ? .isNotEmpty : .isEmpty, value: ""), selector.1,
                operatorToken)
        case .word("contains"): operation = .contains
        case .word("matches"): operation = .matches
        case .word("not") where isKeyword(following, "contains"):
            position += 1
            operation = .notContains
        case .word("not") where isKeyword(following, "matches"):
            position += 1
            operation = .notMatches
        default:
            throw error(
                at: operatorToken,
                "expected an operator (==, !=, is empty, is not empty, contains, not contains, matches, "
                    + "not matches) after \(selector.1) but found \(operatorToken.phrase)")
        }
        position += 1
        let valueToken = current
        let value = try parseValue()
        var match = SubsetMatch(selector: selector.0, operation: operation, value: value)
        if operation == .matches || operation == .notMatches {
            do {
                match.regex = try Regex(value)
            } catch {
                throw self.error(at: valueToken, "\"\(value)\" is not a valid regular expression")
            }
        }
        return try checked(match, selector.1, operatorToken)
    }

    /// A bare selector path such as `Service.Meta.version`, and the path as written.
    private mutating func parseSelector() throws(SubsetFilterError) -> (SubsetSelector, String) {
        let token = current
        guard case .word(let path) = token.kind, !Self.keywords.contains(path) else {
            throw error(
                at: token,
                "expected a selector (\(SubsetSelector.known.joined(separator: ", "))) but found \(token.phrase)")
        }
        guard let selector = SubsetSelector(path: path) else {
            throw error(
                at: token, "unknown selector \"\(path)\"; use one of \(SubsetSelector.known.joined(separator: ", "))")
        }
        position += 1
        return (selector, path)
    }

    /// A bare word or a quoted string; keywords must be quoted to be used as values.
    private mutating func parseValue() throws(SubsetFilterError) -> String {
        let token = current
        switch token.kind {
        case .quoted(let text):
            position += 1
            return text
        case .word(let word) where !Self.keywords.contains(word):
            position += 1
            return word
        default:
            throw error(at: token, "expected a value (a bare word or a double-quoted string) but found \(token.phrase)")
        }
    }

    /// Rejects operators that make no sense for the selector's shape, e.g. `Service.Tags == x`.
    private func checked(_ match: SubsetMatch, _ path: String, _ at: SubsetFilterToken) throws(SubsetFilterError)
        -> SubsetMatch
    {
        switch (match.selector.shape, match.operation) {
        case (.list, .equal), (.list, .notEqual), (.list, .matches), (.list, .notMatches):
            throw error(at: at, "\(path) is a list; use contains, not contains, in, not in, is empty or is not empty")
        case (.map, .equal), (.map, .notEqual), (.map, .matches), (.map, .notMatches):
            throw error(
                at: at,
                "\(path) is a map; select one key (\(path).<key>) or use contains, in, is empty or is not empty")
        default:
            return match
        }
    }
}
