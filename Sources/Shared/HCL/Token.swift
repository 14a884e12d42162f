/// The kinds of token the HCL lexer produces.
public enum TokenKind: Sendable, Hashable {
    case identifier
    case number
    /// `"` opening a quoted template.
    case openQuote
    /// `"` closing a quoted template.
    case closeQuote
    /// Literal text inside a quoted or heredoc template, escapes already decoded.
    case templateLiteral
    /// `${` (or `${~`).
    case templateInterpolation
    /// `%{` (or `%{~`).
    case templateDirective
    /// `}` (or `~}`) closing an interpolation or directive.
    case templateSequenceEnd
    /// `<<EOT` or `<<-EOT` plus its newline.
    case openHeredoc
    /// The line holding the heredoc's closing marker.
    case closeHeredoc
    case openBrace, closeBrace, openBracket, closeBracket, openParen, closeParen
    case comma, dot, ellipsis, colon, question, equal, fatArrow
    case plus, minus, star, slash, percent, and, or, bang
    case equalEqual, notEqual, less, greater, lessEqual, greaterEqual
    case newline
    /// Input the lexer could not read; it already reported a diagnostic for it.
    case invalid
    case endOfFile
}

/// One lexical token with its range.
public struct Token: Sendable, Hashable {
    public var kind: TokenKind
    /// Identifier name, number literal text, decoded template literal or heredoc marker.
    public var text: String
    public var range: SourceRange
    /// `~` strip marker on an interpolation/directive opener or sequence end; `<<-` on a heredoc opener.
    public var strip: Bool
    /// True for a closing token the lexer inserted after reporting an unterminated string or heredoc.
    public var synthetic: Bool

    public init(kind: TokenKind, text: String, range: SourceRange, strip: Bool = false, synthetic: Bool = false) {
        self.kind = kind
        self.text = text
        self.range = range
        self.strip = strip
        self.synthetic = synthetic
    }
}

extension TokenKind {
    /// How a token of this kind is named in messages.
    var phrase: String {
        switch self {
        case .identifier: "a name"
        case .number: "a number"
        case .openQuote: "a string"
        case .closeQuote: "the end of a string"
        case .templateLiteral: "string text"
        case .templateInterpolation: "\"${\""
        case .templateDirective: "\"%{\""
        case .templateSequenceEnd: "\"}\""
        case .openHeredoc: "a heredoc"
        case .closeHeredoc: "the end of a heredoc"
        case .openBrace: "\"{\""
        case .closeBrace: "\"}\""
        case .openBracket: "\"[\""
        case .closeBracket: "\"]\""
        case .openParen: "\"(\""
        case .closeParen: "\")\""
        case .comma: "\",\""
        case .dot: "\".\""
        case .ellipsis: "\"...\""
        case .colon: "\":\""
        case .question: "\"?\""
        case .equal: "\"=\""
        case .fatArrow: "\"=>\""
        case .plus: "\"+\""
        case .minus: "\"-\""
        case .star: "\"*\""
        case .slash: "\"/\""
        case .percent: "\"%\""
        case .and: "\"&&\""
        case .or: "\"||\""
        case .bang: "\"!\""
        case .equalEqual: "\"==\""
        case .notEqual: "\"!=\""
        case .less: "\"<\""
        case .greater: "\">\""
        case .lessEqual: "\"<=\""
        case .greaterEqual: "\">=\""
        case .newline: "the end of the line"
        case .invalid: "invalid input"
        case .endOfFile: "the end of the file"
        }
    }
}

extension Token {
    /// How this token is named in messages, e.g. `name "args"` or `number 3`.
    var phrase: String {
        switch kind {
        case .identifier: "name \"\(text)\""
        case .number: "number \(text.count > 20 ? String(text.prefix(20)) + "..." : text)"
        default: kind.phrase
        }
    }
}
