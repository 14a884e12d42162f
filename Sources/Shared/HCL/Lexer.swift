/// Turns HCL native-syntax source bytes into tokens; it never fails, it reports problems as diagnostics.
public enum Lexer {
    public static func tokenize(_ bytes: [UInt8], filename: String) -> (tokens: [Token], diagnostics: [Diagnostic]) {
        var state = LexerState(bytes: bytes, filename: filename)
        state.run()
        return (state.tokens, state.diagnostics)
    }

    public static func tokenize(_ source: String, filename: String) -> (tokens: [Token], diagnostics: [Diagnostic]) {
        tokenize(Array(source.utf8), filename: filename)
    }
}

private enum ASCII {
    static let tab: UInt8 = 0x09
    static let newline: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let bang: UInt8 = 0x21
    static let quote: UInt8 = 0x22
    static let hash: UInt8 = 0x23
    static let dollar: UInt8 = 0x24
    static let percent: UInt8 = 0x25
    static let ampersand: UInt8 = 0x26
    static let openParen: UInt8 = 0x28
    static let closeParen: UInt8 = 0x29
    static let star: UInt8 = 0x2A
    static let plus: UInt8 = 0x2B
    static let comma: UInt8 = 0x2C
    static let minus: UInt8 = 0x2D
    static let dot: UInt8 = 0x2E
    static let slash: UInt8 = 0x2F
    static let zero: UInt8 = 0x30
    static let nine: UInt8 = 0x39
    static let colon: UInt8 = 0x3A
    static let less: UInt8 = 0x3C
    static let equal: UInt8 = 0x3D
    static let greater: UInt8 = 0x3E
    static let question: UInt8 = 0x3F
    static let upperE: UInt8 = 0x45
    static let upperU: UInt8 = 0x55
    static let openBracket: UInt8 = 0x5B
    static let backslash: UInt8 = 0x5C
    static let closeBracket: UInt8 = 0x5D
    static let underscore: UInt8 = 0x5F
    static let lowerE: UInt8 = 0x65
    static let lowerN: UInt8 = 0x6E
    static let lowerR: UInt8 = 0x72
    static let lowerT: UInt8 = 0x74
    static let lowerU: UInt8 = 0x75
    static let openBrace: UInt8 = 0x7B
    static let pipe: UInt8 = 0x7C
    static let closeBrace: UInt8 = 0x7D
    static let tilde: UInt8 = 0x7E

    static func isDigit(_ byte: UInt8) -> Bool { byte >= zero && byte <= nine }
    static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
    static func isIdentifierByte(_ byte: UInt8) -> Bool {
        isLetter(byte) || isDigit(byte) || byte == underscore || byte == minus
    }
}

/// Decodes the UTF-8 scalar starting at `index`, or nil if the bytes there are not valid UTF-8.
func decodeScalar(_ bytes: [UInt8], at index: Int) -> (scalar: Unicode.Scalar, length: Int)? {
    guard index < bytes.count else { return nil }
    let lead = bytes[index]
    if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
    let length: Int
    var value: UInt32
    switch lead {
    case 0xC2...0xDF:
        length = 2
        value = UInt32(lead & 0x1F)
    case 0xE0...0xEF:
        length = 3
        value = UInt32(lead & 0x0F)
    case 0xF0...0xF4:
        length = 4
        value = UInt32(lead & 0x07)
    default:
        return nil
    }
    guard index + length <= bytes.count else { return nil }
    for offset in 1..<length {
        let byte = bytes[index + offset]
        guard byte & 0xC0 == 0x80 else { return nil }
        value = value << 6 | UInt32(byte & 0x3F)
    }
    if length == 3 && value < 0x800 { return nil }
    if length == 4 && value < 0x10000 { return nil }
    guard let scalar = Unicode.Scalar(value) else { return nil }
    return (scalar, length)
}

struct LexerState {
    enum Mode {
        /// Expressions; `inTemplate` when inside `${ }` or `%{ }`, where an unmatched `}` ends the sequence.
        case code(braces: Int, inTemplate: Bool)
        case quoted(open: SourceRange)
        case heredoc(marker: [UInt8], open: SourceRange, atLineStart: Bool)
    }

    let bytes: [UInt8]
    let filename: String
    var index = 0
    var line = 1
    var column = 1
    var tokens: [Token] = []
    var diagnostics: [Diagnostic] = []
    var modes: [Mode] = [.code(braces: 0, inTemplate: false)]

    init(bytes: [UInt8], filename: String) {
        self.bytes = bytes
        self.filename = filename
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
    }

    var position: SourcePosition { SourcePosition(line: line, column: column, offset: index) }

    func range(from start: SourcePosition) -> SourceRange {
        SourceRange(filename: filename, start: start, end: position)
    }

    func byte(_ offset: Int = 0) -> UInt8? {
        let at = index + offset
        return at < bytes.count ? bytes[at] : nil
    }

    var atEnd: Bool { index >= bytes.count }

    mutating func run() {
        while let mode = modes.last {
            switch mode {
            case .code(let braces, let inTemplate):
                if atEnd {
                    emitEnd()
                    return
                }
                lexCode(braces: braces, inTemplate: inTemplate)
            case .quoted(let open):
                lexQuoted(open: open)
            case .heredoc(let marker, let open, let atLineStart):
                lexHeredoc(marker: marker, open: open, atLineStart: atLineStart)
            }
        }
        emitEnd()
    }

    mutating func emitEnd() {
        let here = position
        tokens.append(Token(kind: .endOfFile, text: "", range: SourceRange(filename: filename, start: here, end: here)))
    }

    mutating func report(_ message: String, at range: SourceRange) {
        diagnostics.append(.error(message, at: range))
    }

    /// Emits a token made of `length` ASCII bytes on the current line.
    mutating func single(_ kind: TokenKind, length: Int = 1, strip: Bool = false) {
        let start = position
        let text = String(decoding: bytes[index..<min(index + length, bytes.count)], as: UTF8.self)
        index += length
        column += length
        tokens.append(Token(kind: kind, text: text, range: range(from: start), strip: strip))
    }

    /// Moves past one line break (`\n` or `\r\n`) at the current index.
    mutating func advanceNewline() {
        if byte() == ASCII.carriageReturn { index += 1 }
        index += 1
        line += 1
        column = 1
    }

    var atNewline: Bool {
        byte() == ASCII.newline || (byte() == ASCII.carriageReturn && byte(1) == ASCII.newline)
    }

    /// Moves past one scalar (not a line break), appending its bytes to `buffer`; reports invalid UTF-8.
    mutating func advanceScalar(into buffer: inout [UInt8]) {
        if let (_, length) = decodeScalar(bytes, at: index) {
            buffer.append(contentsOf: bytes[index..<index + length])
            index += length
            column += 1
            return
        }
        skipInvalidBytes()
    }

    mutating func advanceScalar() {
        var ignored: [UInt8] = []
        advanceScalar(into: &ignored)
    }

    /// Reports a run of bytes that are not UTF-8 once, and moves past all of them.
    mutating func skipInvalidBytes() {
        let start = position
        let first = bytes[index]
        while index < bytes.count && decodeScalar(bytes, at: index) == nil {
            index += 1
            column += 1
        }
        let hex = String(first, radix: 16, uppercase: true)
        report(
            "invalid UTF-8 byte 0x\(hex.count == 1 ? "0" + hex : hex); HCL files must be UTF-8 encoded",
            at: range(from: start))
    }

    mutating func setTop(_ mode: Mode) {
        modes[modes.count - 1] = mode
    }

    // MARK: Code

    mutating func lexCode(braces: Int, inTemplate: Bool) {
        let current = bytes[index]
        switch current {
        case ASCII.space, ASCII.tab:
            index += 1
            column += 1
        case ASCII.carriageReturn where byte(1) != ASCII.newline:
            index += 1
            column += 1
        case ASCII.newline, ASCII.carriageReturn:
            let start = position
            advanceNewline()
            tokens.append(Token(kind: .newline, text: "\n", range: range(from: start)))
        case ASCII.hash:
            skipLineComment()
        case ASCII.slash:
            if byte(1) == ASCII.slash {
                skipLineComment()
            } else if byte(1) == ASCII.star {
                skipBlockComment()
            } else {
                single(.slash)
            }
        case ASCII.quote:
            single(.openQuote)
            if let open = tokens.last?.range { modes.append(.quoted(open: open)) }
        case ASCII.zero...ASCII.nine:
            lexNumber()
        case ASCII.openBrace:
            if inTemplate { setTop(.code(braces: braces + 1, inTemplate: true)) }
            single(.openBrace)
        case ASCII.closeBrace:
            if inTemplate && braces == 0 {
                single(.templateSequenceEnd)
                modes.removeLast()
            } else {
                if inTemplate { setTop(.code(braces: braces - 1, inTemplate: true)) }
                single(.closeBrace)
            }
        case ASCII.tilde where inTemplate && braces == 0 && byte(1) == ASCII.closeBrace:
            single(.templateSequenceEnd, length: 2, strip: true)
            modes.removeLast()
        case ASCII.openBracket: single(.openBracket)
        case ASCII.closeBracket: single(.closeBracket)
        case ASCII.openParen: single(.openParen)
        case ASCII.closeParen: single(.closeParen)
        case ASCII.comma: single(.comma)
        case ASCII.colon: single(.colon)
        case ASCII.question: single(.question)
        case ASCII.plus: single(.plus)
        case ASCII.minus: single(.minus)
        case ASCII.star: single(.star)
        case ASCII.percent: single(.percent)
        case ASCII.dot:
            if byte(1) == ASCII.dot && byte(2) == ASCII.dot {
                single(.ellipsis, length: 3)
            } else {
                single(.dot)
            }
        case ASCII.equal:
            if byte(1) == ASCII.equal {
                single(.equalEqual, length: 2)
            } else if byte(1) == ASCII.greater {
                single(.fatArrow, length: 2)
            } else {
                single(.equal)
            }
        case ASCII.bang:
            if byte(1) == ASCII.equal { single(.notEqual, length: 2) } else { single(.bang) }
        case ASCII.less:
            if byte(1) == ASCII.less {
                lexHeredocOpener()
            } else if byte(1) == ASCII.equal {
                single(.lessEqual, length: 2)
            } else {
                single(.less)
            }
        case ASCII.greater:
            if byte(1) == ASCII.equal { single(.greaterEqual, length: 2) } else { single(.greater) }
        case ASCII.ampersand where byte(1) == ASCII.ampersand:
            single(.and, length: 2)
        case ASCII.pipe where byte(1) == ASCII.pipe:
            single(.or, length: 2)
        default:
            lexIdentifierOrInvalid()
        }
    }

    mutating func skipLineComment() {
        while !atEnd && !atNewline {
            advanceScalar()
        }
    }

    mutating func skipBlockComment() {
        let start = position
        index += 2
        column += 2
        while !atEnd {
            if byte() == ASCII.star && byte(1) == ASCII.slash {
                index += 2
                column += 2
                return
            }
            if atNewline {
                advanceNewline()
            } else {
                advanceScalar()
            }
        }
        let opener = SourceRange(filename: filename, start: start, end: start)
        report("unterminated comment; expected \"*/\" to close the comment that starts here", at: opener)
    }

    mutating func lexNumber() {
        let start = position
        let from = index
        while let next = byte(), ASCII.isDigit(next) { index += 1 }
        if byte() == ASCII.dot, let next = byte(1), ASCII.isDigit(next) {
            index += 1
            while let next = byte(), ASCII.isDigit(next) { index += 1 }
        }
        if byte() == ASCII.lowerE || byte() == ASCII.upperE {
            var offset = 1
            if byte(1) == ASCII.plus || byte(1) == ASCII.minus { offset = 2 }
            if let next = byte(offset), ASCII.isDigit(next) {
                index += offset
                while let next = byte(), ASCII.isDigit(next) { index += 1 }
            }
        }
        column += index - from
        let text = String(decoding: bytes[from..<index], as: UTF8.self)
        tokens.append(Token(kind: .number, text: text, range: range(from: start)))
    }

    mutating func lexIdentifierOrInvalid() {
        let start = position
        let from = index
        guard let (first, firstLength) = decodeScalar(bytes, at: index) else {
            skipInvalidBytes()
            tokens.append(Token(kind: .invalid, text: "", range: range(from: start)))
            return
        }
        guard first == "_" || first.properties.isXIDStart else {
            index += firstLength
            column += 1
            let shown =
                first.properties.isWhitespace || first.value < 0x20
                ? "U+" + String(first.value, radix: 16, uppercase: true) : String(first)
            report("invalid character \"\(shown)\"", at: range(from: start))
            tokens.append(Token(kind: .invalid, text: String(first), range: range(from: start)))
            return
        }
        index += firstLength
        column += 1
        while let next = byte() {
            if next < 0x80 {
                guard ASCII.isIdentifierByte(next) else { break }
                index += 1
                column += 1
            } else if let (scalar, length) = decodeScalar(bytes, at: index), scalar.properties.isXIDContinue {
                index += length
                column += 1
            } else {
                break
            }
        }
        let text = String(decoding: bytes[from..<index], as: UTF8.self)
        tokens.append(Token(kind: .identifier, text: text, range: range(from: start)))
    }

    // MARK: Templates

    /// Emits `${`/`%{` (with an optional `~`) and enters expression mode.
    mutating func lexSequenceOpener() {
        let kind: TokenKind = byte() == ASCII.dollar ? .templateInterpolation : .templateDirective
        let strip = byte(2) == ASCII.tilde
        single(kind, length: strip ? 3 : 2, strip: strip)
        modes.append(.code(braces: 0, inTemplate: true))
    }

    var atSequenceOpener: Bool {
        (byte() == ASCII.dollar || byte() == ASCII.percent) && byte(1) == ASCII.openBrace
    }

    /// Handles `$${` and `%%{`, which stand for a literal `${` and `%{`.
    mutating func lexLiteralSequenceEscape(into buffer: inout [UInt8]) -> Bool {
        guard let first = byte(), first == ASCII.dollar || first == ASCII.percent,
            byte(1) == first, byte(2) == ASCII.openBrace
        else { return false }
        buffer.append(first)
        buffer.append(ASCII.openBrace)
        index += 3
        column += 3
        return true
    }

    mutating func lexQuoted(open: SourceRange) {
        let start = position
        var buffer: [UInt8] = []
        while !atEnd {
            let current = bytes[index]
            if current == ASCII.quote || atNewline || atSequenceOpener { break }
            if lexLiteralSequenceEscape(into: &buffer) { continue }
            if current == ASCII.backslash {
                lexEscape(into: &buffer)
                continue
            }
            advanceScalar(into: &buffer)
        }
        if index > start.offset {
            tokens.append(
                Token(kind: .templateLiteral, text: String(decoding: buffer, as: UTF8.self), range: range(from: start)))
        }
        if atEnd || atNewline {
            let place = atEnd ? "file" : "line"
            report("unterminated string; expected a closing \" before the end of the \(place)", at: open)
            let here = position
            let closing = SourceRange(filename: filename, start: here, end: here)
            tokens.append(Token(kind: .closeQuote, text: "", range: closing, synthetic: true))
            modes.removeLast()
        } else if byte() == ASCII.quote {
            single(.closeQuote)
            modes.removeLast()
        } else {
            lexSequenceOpener()
        }
    }

    mutating func lexEscape(into buffer: inout [UInt8]) {
        let start = position
        let decoded: [UInt8]
        switch byte(1) {
        case ASCII.lowerN: decoded = [ASCII.newline]
        case ASCII.lowerR: decoded = [ASCII.carriageReturn]
        case ASCII.lowerT: decoded = [ASCII.tab]
        case ASCII.quote: decoded = [ASCII.quote]
        case ASCII.backslash: decoded = [ASCII.backslash]
        case ASCII.lowerU, ASCII.upperU:
            lexUnicodeEscape(digits: byte(1) == ASCII.lowerU ? 4 : 8, into: &buffer)
            return
        default:
            index += 1
            column += 1
            var shown: [UInt8] = []
            if !atEnd && !atNewline { advanceScalar(into: &shown) }
            report(
                "invalid escape sequence \"\\\(String(decoding: shown, as: UTF8.self))\"; "
                    + "valid escapes are \\n, \\r, \\t, \\\", \\\\, \\uNNNN and \\UNNNNNNNN",
                at: range(from: start))
            return
        }
        buffer.append(contentsOf: decoded)
        index += 2
        column += 2
    }

    mutating func lexUnicodeEscape(digits: Int, into buffer: inout [UInt8]) {
        let start = position
        index += 2
        column += 2
        var value: UInt32 = 0
        var count = 0
        while count < digits, let next = byte(), let digit = hexValue(next) {
            value = value << 4 | digit
            index += 1
            column += 1
            count += 1
        }
        let letter = digits == 4 ? "u" : "U"
        guard count == digits else {
            report(
                "invalid escape sequence: \\\(letter) must be followed by \(digits) hexadecimal digits",
                at: range(from: start))
            return
        }
        guard let scalar = Unicode.Scalar(value) else {
            report(
                "invalid escape sequence: U+\(String(value, radix: 16, uppercase: true)) is not a Unicode scalar value",
                at: range(from: start))
            return
        }
        buffer.append(contentsOf: Array(String(Character(scalar)).utf8))
    }

    func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case ASCII.zero...ASCII.nine: UInt32(byte - ASCII.zero)
        case 0x41...0x46: UInt32(byte - 0x41 + 10)
        case 0x61...0x66: UInt32(byte - 0x61 + 10)
        default: nil
        }
    }

    // MARK: Heredocs

    mutating func lexHeredocOpener() {
        let start = position
        var cursor = index + 2
        var flush = false
        if cursor < bytes.count && bytes[cursor] == ASCII.minus {
            flush = true
            cursor += 1
        }
        let markerStart = cursor
        if cursor < bytes.count && (ASCII.isLetter(bytes[cursor]) || bytes[cursor] == ASCII.underscore) {
            while cursor < bytes.count && ASCII.isIdentifierByte(bytes[cursor]) { cursor += 1 }
        }
        let marker = Array(bytes[markerStart..<cursor])
        var afterMarker = cursor
        if afterMarker < bytes.count && bytes[afterMarker] == ASCII.carriageReturn { afterMarker += 1 }
        guard !marker.isEmpty, afterMarker < bytes.count, bytes[afterMarker] == ASCII.newline else {
            single(.invalid, length: 2)
            report(
                "invalid heredoc; expected a marker name right after \"<<\" followed by a new line, as in <<EOT",
                at: range(from: start))
            return
        }
        column += cursor - index
        index = cursor
        let open = range(from: start)
        tokens.append(
            Token(kind: .openHeredoc, text: String(decoding: marker, as: UTF8.self), range: open, strip: flush))
        advanceNewline()
        modes.append(.heredoc(marker: marker, open: open, atLineStart: true))
    }

    mutating func lexHeredoc(marker: [UInt8], open: SourceRange, atLineStart: Bool) {
        if atEnd {
            let name = String(decoding: marker, as: UTF8.self)
            report("unterminated heredoc; expected a line containing only \"\(name)\" to close it", at: open)
            let here = position
            let closing = SourceRange(filename: filename, start: here, end: here)
            tokens.append(Token(kind: .closeHeredoc, text: name, range: closing, synthetic: true))
            modes.removeLast()
            return
        }
        if atLineStart && closesHeredoc(marker) {
            let start = position
            while byte() == ASCII.space || byte() == ASCII.tab {
                index += 1
                column += 1
            }
            index += marker.count
            column += marker.count
            tokens.append(
                Token(kind: .closeHeredoc, text: String(decoding: marker, as: UTF8.self), range: range(from: start)))
            modes.removeLast()
            return
        }
        let start = position
        var buffer: [UInt8] = []
        var endedLine = false
        while !atEnd {
            if lexLiteralSequenceEscape(into: &buffer) { continue }
            if atSequenceOpener { break }
            if atNewline {
                advanceNewline()
                buffer.append(ASCII.newline)
                endedLine = true
                break
            }
            advanceScalar(into: &buffer)
        }
        if index > start.offset {
            tokens.append(
                Token(kind: .templateLiteral, text: String(decoding: buffer, as: UTF8.self), range: range(from: start)))
        }
        setTop(.heredoc(marker: marker, open: open, atLineStart: endedLine))
        if !endedLine && atSequenceOpener {
            lexSequenceOpener()
        }
    }

    /// Whether the line at the index holds only optional indentation and the marker.
    func closesHeredoc(_ marker: [UInt8]) -> Bool {
        var cursor = index
        while cursor < bytes.count && (bytes[cursor] == ASCII.space || bytes[cursor] == ASCII.tab) { cursor += 1 }
        guard cursor + marker.count <= bytes.count, Array(bytes[cursor..<cursor + marker.count]) == marker else {
            return false
        }
        let after = cursor + marker.count
        if after == bytes.count || bytes[after] == ASCII.newline { return true }
        return bytes[after] == ASCII.carriageReturn && after + 1 < bytes.count && bytes[after + 1] == ASCII.newline
    }
}
