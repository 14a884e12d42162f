import HCL
import Testing

@Suite("Lexer")
struct LexerTests {
    struct Case: Sendable, CustomStringConvertible {
        let source: String
        let tokens: [(TokenKind, String, Int, Int)]
        var description: String { source }
    }

    static let cases: [Case] = [
        Case(source: "abc", tokens: [(.identifier, "abc", 1, 1)]),
        Case(source: "a-b_c9 _x", tokens: [(.identifier, "a-b_c9", 1, 1), (.identifier, "_x", 1, 8)]),
        Case(source: "héllo = 1", tokens: [(.identifier, "héllo", 1, 1), (.equal, "=", 1, 7), (.number, "1", 1, 9)]),
        Case(
            source: "12 3.25 1e3 2E-2 7.5e+1",
            tokens: [
                (.number, "12", 1, 1), (.number, "3.25", 1, 4), (.number, "1e3", 1, 9), (.number, "2E-2", 1, 13),
                (.number, "7.5e+1", 1, 18),
            ]),
        Case(
            source: "{ } [ ] ( ) , . ... : ? = =>",
            tokens: [
                (.openBrace, "{", 1, 1), (.closeBrace, "}", 1, 3), (.openBracket, "[", 1, 5),
                (.closeBracket, "]", 1, 7), (.openParen, "(", 1, 9), (.closeParen, ")", 1, 11), (.comma, ",", 1, 13),
                (.dot, ".", 1, 15), (.ellipsis, "...", 1, 17), (.colon, ":", 1, 21), (.question, "?", 1, 23),
                (.equal, "=", 1, 25), (.fatArrow, "=>", 1, 27),
            ]),
        Case(
            source: "+ - * / % && || ! == != < > <= >=",
            tokens: [
                (.plus, "+", 1, 1), (.minus, "-", 1, 3), (.star, "*", 1, 5), (.slash, "/", 1, 7),
                (.percent, "%", 1, 9), (.and, "&&", 1, 11), (.or, "||", 1, 14), (.bang, "!", 1, 17),
                (.equalEqual, "==", 1, 19), (.notEqual, "!=", 1, 22), (.less, "<", 1, 25), (.greater, ">", 1, 27),
                (.lessEqual, "<=", 1, 29), (.greaterEqual, ">=", 1, 32),
            ]),
        Case(
            source: "a # one\nb // two\r\nc /* three\nlines */ d",
            tokens: [
                (.identifier, "a", 1, 1), (.newline, "\n", 1, 8), (.identifier, "b", 2, 1), (.newline, "\n", 2, 9),
                (.identifier, "c", 3, 1), (.identifier, "d", 4, 10),
            ]),
        Case(
            source: "\"hi ${x~} %{~ if y}\"",
            tokens: [
                (.openQuote, "\"", 1, 1), (.templateLiteral, "hi ", 1, 2), (.templateInterpolation, "${", 1, 5),
                (.identifier, "x", 1, 7), (.templateSequenceEnd, "~}", 1, 8), (.templateLiteral, " ", 1, 10),
                (.templateDirective, "%{~", 1, 11), (.identifier, "if", 1, 15), (.identifier, "y", 1, 18),
                (.templateSequenceEnd, "}", 1, 19), (.closeQuote, "\"", 1, 20),
            ]),
        Case(
            source: "\"${ {a = 1} }\"",
            tokens: [
                (.openQuote, "\"", 1, 1), (.templateInterpolation, "${", 1, 2), (.openBrace, "{", 1, 5),
                (.identifier, "a", 1, 6), (.equal, "=", 1, 8), (.number, "1", 1, 10), (.closeBrace, "}", 1, 11),
                (.templateSequenceEnd, "}", 1, 13), (.closeQuote, "\"", 1, 14),
            ]),
        Case(
            source: "x = <<EOT\nline ${v}\nEOT\n",
            tokens: [
                (.identifier, "x", 1, 1), (.equal, "=", 1, 3), (.openHeredoc, "EOT", 1, 5),
                (.templateLiteral, "line ", 2, 1), (.templateInterpolation, "${", 2, 6), (.identifier, "v", 2, 8),
                (.templateSequenceEnd, "}", 2, 9), (.templateLiteral, "\n", 2, 10), (.closeHeredoc, "EOT", 3, 1),
                (.newline, "\n", 3, 4),
            ]),
        Case(
            source: "<<-EOT\n  a\n  EOT",
            tokens: [(.openHeredoc, "EOT", 1, 1), (.templateLiteral, "  a\n", 2, 1), (.closeHeredoc, "EOT", 3, 1)]),
    ]

    @Test("every token kind is produced with its text, line and column", arguments: cases)
    func tokens(_ testCase: Case) {
        let (tokens, diagnostics) = Lexer.tokenize(testCase.source, filename: "t.hcl")
        #expect(diagnostics.isEmpty)
        let produced = tokens.dropLast()
        #expect(produced.count == testCase.tokens.count)
        for (token, expected) in zip(produced, testCase.tokens) {
            #expect(token.kind == expected.0, "\(token.text)")
            #expect(token.text == expected.1)
            #expect(token.range.start.line == expected.2 && token.range.start.column == expected.3, "\(token.text)")
        }
        #expect(tokens.last?.kind == .endOfFile)
    }

    @Test("strip markers and the flush heredoc form are flagged on their tokens")
    func flags() {
        let (tokens, _) = Lexer.tokenize("\"${~ a ~}\" <<-X\nX\n", filename: "t.hcl")
        #expect(tokens[1].kind == .templateInterpolation && tokens[1].strip)
        #expect(tokens[3].kind == .templateSequenceEnd && tokens[3].strip)
        #expect(tokens[5].kind == .openHeredoc && tokens[5].strip)
    }

    @Test("ranges carry byte offsets and column counts in characters")
    func offsets() {
        let (tokens, _) = Lexer.tokenize("é = \"ü\"", filename: "t.hcl")
        #expect(tokens[1].range.start.offset == 3 && tokens[1].range.start.column == 3)
        #expect(tokens[2].range.start.offset == 5 && tokens[2].range.start.column == 5)
        #expect(tokens[3].range.end.offset == 8 && tokens[3].range.end.column == 7)
    }

    @Test("invalid input becomes positioned diagnostics, never a crash")
    func invalidInput() {
        let (_, bad) = Lexer.tokenize([0x61, 0x20, 0xFF, 0xFE, 0x20, 0x62], filename: "t.hcl")
        #expect(bad.map(\.description) == ["t.hcl:1:3: invalid UTF-8 byte 0xFF; HCL files must be UTF-8 encoded"])
        let (_, character) = Lexer.tokenize("a = 1 @ 2", filename: "t.hcl")
        #expect(character.map(\.description) == ["t.hcl:1:7: invalid character \"@\""])
    }
}
