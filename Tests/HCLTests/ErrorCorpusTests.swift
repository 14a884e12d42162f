import HCL
import Testing

@Suite("Invalid input")
struct ErrorCorpusTests {
    struct Bad: Sendable, CustomStringConvertible {
        let name: String
        let source: [UInt8]
        let messages: [String]
        var description: String { name }

        init(_ name: String, _ source: String, _ messages: [String]) {
            self.name = name
            self.source = Array(source.utf8)
            self.messages = messages
        }

        init(_ name: String, bytes: [UInt8], _ messages: [String]) {
            self.name = name
            self.source = bytes
            self.messages = messages
        }
    }

    static let deep = 10_000
    static let nestingMessage =
        "nesting is too deep; at most 128 levels of nested blocks, brackets, braces, parentheses and templates "
        + "are allowed"

    static let corpus: [Bad] = [
        Bad(
            "unterminated string", "a = \"abc\nb = 1\n",
            ["test.hcl:1:5: unterminated string; expected a closing \" before the end of the line"]),
        Bad(
            "unterminated string at the end of the file", "a = \"abc",
            ["test.hcl:1:5: unterminated string; expected a closing \" before the end of the file"]),
        Bad(
            "unterminated heredoc", "a = <<EOT\nhello\n",
            ["test.hcl:1:5: unterminated heredoc; expected a line containing only \"EOT\" to close it"]),
        Bad(
            "heredoc without a marker", "a = <<\n",
            [
                "test.hcl:1:5: invalid heredoc; expected a marker name right after \"<<\" followed by a new line, "
                    + "as in <<EOT"
            ]),
        Bad(
            "unterminated comment", "a = 1\n/* never closed\nb = 2\n",
            ["test.hcl:2:1: unterminated comment; expected \"*/\" to close the comment that starts here"]),
        Bad(
            "unclosed block", "job \"x\" {\n  group \"y\" {\n  }\n",
            ["test.hcl:1:9: block \"job\" is not closed; expected \"}\" before the end of the file"]),
        Bad(
            "extra closing brace", "a = 1\n}\nb = 2\n",
            ["test.hcl:2:1: unexpected \"}\"; there is no open block to close"]),
        Bad(
            "unclosed list", "a = [1, 2\n",
            ["test.hcl:1:5: list is not closed; expected \"]\" before the end of the file"]),
        Bad(
            "unclosed object", "a = {\n  b = 1\n",
            ["test.hcl:1:5: object is not closed; expected \"}\" before the end of the file"]),
        Bad(
            "missing equals before a number", "count 3\n",
            [
                "test.hcl:1:7: expected \"=\" after \"count\" to set an attribute, or \"{\" to open a block, "
                    + "but found number 3"
            ]),
        Bad(
            "missing equals before a string", "name \"x\"\n",
            [
                "test.hcl:1:9: expected \"{\" to open block \"name\", but found the end of the line; to set an "
                    + "attribute, write name = \"x\""
            ]),
        Bad(
            "two attributes on one line", "a = 1 b = 2\n",
            [
                "test.hcl:1:7: expected a newline after the value of \"a\" (each attribute goes on its own line), "
                    + "but found name \"b\""
            ]),
        Bad(
            "duplicate attribute", "a = 1\na = 2\n",
            ["test.hcl:2:1: duplicate attribute \"a\"; it was already set at line 1, column 1"]),
        Bad(
            "interpolated block label", "job \"${x}\" {\n}\n",
            ["test.hcl:1:6: a block label must be a plain quoted string, without ${...} or %{...}"]),
        Bad(
            "invalid UTF-8 in a string", bytes: Array("a = \"x".utf8) + [0xFF, 0xC3] + Array("y\"\n".utf8),
            ["test.hcl:1:7: invalid UTF-8 byte 0xFF; HCL files must be UTF-8 encoded"]),
        Bad(
            "invalid UTF-8 in a name", bytes: [0x61, 0xC0, 0x80, 0x20, 0x3D, 0x20, 0x31, 0x0A],
            ["test.hcl:1:2: invalid UTF-8 byte 0xC0; HCL files must be UTF-8 encoded"]),
        Bad(
            "400-digit number", "a = 1" + String(repeating: "0", count: 399) + "\n",
            ["test.hcl:1:5: number is too large (400 characters); numbers must be smaller than about 1.8e308"]),
        Bad(
            "brackets nested 10,000 deep",
            "a = " + String(repeating: "[", count: deep) + String(repeating: "]", count: deep),
            ["test.hcl:1:133: " + nestingMessage]),
        Bad(
            "objects nested 10,000 deep",
            "a = " + String(repeating: "{b = ", count: deep) + String(repeating: "}", count: deep),
            ["test.hcl:1:\(5 + 5 * 128): " + nestingMessage]),
        Bad(
            "parentheses nested 10,000 deep",
            "a = " + String(repeating: "(", count: deep) + "1" + String(repeating: ")", count: deep),
            ["test.hcl:1:133: " + nestingMessage]),
        Bad(
            "blocks nested 10,000 deep",
            String(repeating: "b {\n", count: deep) + String(repeating: "}\n", count: deep),
            ["test.hcl:129:3: " + nestingMessage]),
        Bad(
            "calls nested 10,000 deep",
            "a = " + String(repeating: "f(", count: deep) + String(repeating: ")", count: deep),
            ["test.hcl:1:\(6 + 2 * 128): " + nestingMessage]),
        Bad(
            "templates nested 10,000 deep",
            "a = " + String(repeating: "\"${", count: deep) + String(repeating: "}\"", count: deep),
            ["test.hcl:1:\(5 + 3 * 128): " + nestingMessage]),
        Bad(
            "10,000 unary operators", "a = " + String(repeating: "!", count: deep) + "true",
            ["test.hcl:1:133: " + nestingMessage]),
        Bad(
            "10,000 chained operators", "a = 1" + String(repeating: " + 1", count: deep),
            ["test.hcl:1:5: expression is too complex; it nests more than 256 operations"]),
        Bad(
            "10,000 attribute steps", "a = x" + String(repeating: ".y", count: deep),
            ["test.hcl:1:5: expression is too complex; it nests more than 256 operations"]),
        Bad("a lone operator", "a = *\n", ["test.hcl:1:5: expected an expression, but found \"*\""]),
        Bad("an invalid character", "a = 1 @ 2\n", ["test.hcl:1:7: invalid character \"@\""]),
    ]

    @Test("each invalid input yields exactly its positioned messages", arguments: corpus)
    func corpusEntry(_ bad: Bad) {
        #expect(parseErrors(bytes: bad.source) == bad.messages)
    }

    @Test("one run reports several independent errors")
    func severalErrors() {
        let source = """
            a = "unterminated
            b = 1 +
            c 3
            d = {
              x = 1 y = 2
            }
            e = )
            f = 1
            """
        #expect(
            parseErrors(source) == [
                "test.hcl:1:5: unterminated string; expected a closing \" before the end of the line",
                "test.hcl:2:8: expected an expression, but found the end of the line",
                "test.hcl:3:3: expected \"=\" after \"c\" to set an attribute, or \"{\" to open a block, but found number 3",
                "test.hcl:5:9: expected a comma or a newline after the value of \"x\" in the object, but found name \"y\"",
                "test.hcl:7:5: expected an expression, but found \")\"",
            ])
        #expect(throws: Diagnostics.self) { try parse(source) }
    }

    @Test("evaluation errors name the file, line and column")
    func evaluationErrors() throws {
        let body = try parse("a = nosuch(1)\nb = upper()\nc = var.x\nd = local.y\n")
        let context = EvaluationContext(variables: ["var": [:], "local": [:]])
        var messages: [String] = []
        for attribute in body.attributes {
            do {
                _ = try attribute.expression.evaluate(in: context)
            } catch {
                messages.append(contentsOf: error.map(\.description))
            }
        }
        #expect(
            messages == [
                "test.hcl:1:5: unknown function \"nosuch\"",
                "test.hcl:2:5: function \"upper\" expects 1 argument, but got 0",
                "test.hcl:3:5: unknown variable var.x; declare it in a variable block",
                "test.hcl:4:5: unknown local value local.y; define it in a locals block",
            ])
    }

    @Test("random bytes never crash the parser")
    func fuzz() {
        var generator = SplitMix(seed: 42)
        let alphabet = Array("ab{}[]()\"$%~<-=.,:?!#/*\n \\ue9".utf8) + [0xFF, 0xC3]
        for _ in 0..<300 {
            let length = Int(generator.next() % 200)
            let bytes = (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            let (body, diagnostics) = HCLParser.parseRecovering(bytes: bytes, filename: "f.hcl")
            #expect(diagnostics.hasErrors || body.items.count >= 0)
        }
    }
}

struct SplitMix: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

@Suite("Resource limits")
struct LimitTests {
    @Test("expressions right at the nesting limits still evaluate")
    func atTheLimits() throws {
        let brackets = String(repeating: "[", count: 127) + "1" + String(repeating: "]", count: 127)
        var expected: Value = 1
        for _ in 0..<127 { expected = [expected] }
        #expect(try value(brackets) == expected)
        #expect(try value("0" + String(repeating: " + 1", count: 255)) == 255)
    }

    @Test("nested for expressions that multiply values stop with an error instead of hanging")
    func multiplyingLoops() {
        let list = "[" + (0..<20).map(String.init).joined(separator: ",") + "]"
        var source = "1"
        for level in 0..<6 { source = "[for x\(level) in \(list) : \(source)]" }
        #expect(
            evaluationErrors(source) == [
                "expr.hcl:1:1: this expression takes too much work to evaluate or builds values that are too large "
                    + "(limit 1000000 steps); simplify it"
            ])
    }

    @Test("locals that double each other, or nest without end, are errors")
    func explodingLocals() {
        var doubling = "locals {\n  l0 = \"x\"\n"
        for index in 1..<60 { doubling += "  l\(index) = [local.l\(index - 1), local.l\(index - 1)]\n" }
        doubling += "}\n"
        #expect(throws: Diagnostics.self) { try HCLDocument.load(source: doubling, filename: "job.hcl") }

        var nesting = "locals {\n  l0 = 1\n"
        for index in 1..<300 { nesting += "  l\(index) = [local.l\(index - 1)]\n" }
        nesting += "}\n"
        do {
            _ = try HCLDocument.load(source: nesting, filename: "job.hcl")
            Issue.record("expected an error")
        } catch {
            #expect(
                error.description
                    == "job.hcl:258:3: local value \"l256\" is nested too deeply (more than 256 levels of lists and "
                    + "objects)")
        }
    }
}
