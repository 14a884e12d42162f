import HCL
import Testing

@Suite("Strings, heredocs and templates")
struct TemplateTests {
    struct Escape: Sendable {
        let source: String
        let result: String
    }

    @Test(
        "every string escape decodes",
        arguments: [
            Escape(source: #""a\nb""#, result: "a\nb"),
            Escape(source: #""a\rb""#, result: "a\rb"),
            Escape(source: #""a\tb""#, result: "a\tb"),
            Escape(source: #""say \"hi\"""#, result: "say \"hi\""),
            Escape(source: #""back\\slash""#, result: "back\\slash"),
            Escape(source: #""\u00e9\u263A""#, result: "é☺"),
            Escape(source: #""\U0001F600""#, result: "😀"),
            Escape(source: #""$${literal}""#, result: "${literal}"),
            Escape(source: #""%%{literal}""#, result: "%{literal}"),
            Escape(source: #""$$ and %% alone""#, result: "$$ and %% alone"),
            Escape(source: #""costs $5""#, result: "costs $5"),
        ])
    func escapes(_ testCase: Escape) throws {
        #expect(try value(testCase.source) == .string(testCase.result))
    }

    @Test("invalid escapes are positioned errors")
    func invalidEscapes() {
        #expect(
            parseErrors(#"a = "x\qy""#) == [
                #"test.hcl:1:7: invalid escape sequence "\q"; valid escapes are \n, \r, \t, \", \\, \uNNNN and \UNNNNNNNN"#
            ])
        #expect(
            parseErrors(#"a = "\u12""#) == [
                "test.hcl:1:6: invalid escape sequence: \\u must be followed by 4 hexadecimal digits"
            ])
        #expect(
            parseErrors(#"a = "\uD800""#) == [
                "test.hcl:1:6: invalid escape sequence: U+D800 is not a Unicode scalar value"
            ])
    }

    @Test("a heredoc keeps its lines verbatim, with interpolation and no backslash escapes")
    func heredoc() throws {
        let body = try parse("x = <<EOT\n  hello ${name}\n    \\n stays\nEOT\ny = 1\n")
        let context = EvaluationContext(variables: ["name": "world"])
        #expect(try attributeValue(body, "x", context) == "  hello world\n    \\n stays\n")
        #expect(try attributeValue(body, "y") == 1)
    }

    @Test("the <<- heredoc strips the smallest common indentation, ignoring blank lines")
    func flushHeredoc() throws {
        let body = try parse("x = <<-EOT\n    a\n\n      b ${v}\n    c\n    EOT\n")
        #expect(try attributeValue(body, "x", EvaluationContext(variables: ["v": 1])) == "a\n\n  b 1\nc\n")
        let tabs = try parse("x = <<-EOT\n\t\tone\n\ttwo\nEOT\n")
        #expect(try attributeValue(tabs, "x") == "\tone\ntwo\n")
    }

    @Test("interpolations convert numbers and bools, and a lone interpolation keeps its type")
    func interpolation() throws {
        let variables: [String: Value] = ["local": ["n": 3, "ok": true, "list": [1, 2]]]
        #expect(try value("\"n=${local.n} ok=${local.ok}\"", variables) == "n=3 ok=true")
        #expect(try value("\"${local.list}\"", variables) == [1, 2])
        #expect(try value("\"${1 + 2}\"") == 3)
        #expect(try value("\"a${\"b${\"c\"}\"}\"") == "abc")
    }

    @Test("if and for directives render, with else branches and strip markers")
    func directives() throws {
        let variables: [String: Value] = ["local": ["on": true, "off": false, "xs": ["a", "b", "c"]]]
        #expect(try value("\"%{ if local.on }yes%{ else }no%{ endif }\"", variables) == "yes")
        #expect(try value("\"%{ if local.off }yes%{ else }no%{ endif }\"", variables) == "no")
        #expect(try value("\"[%{ if local.off }x%{ endif }]\"", variables) == "[]")
        #expect(try value("\"%{ for x in local.xs }${x},%{ endfor }\"", variables) == "a,b,c,")
        #expect(try value("\"%{ for i, x in local.xs }${i}${x} %{ endfor }\"", variables) == "0a 1b 2c ")
        let body = try parse(
            """
            x = <<EOT
            %{ for x in local.xs ~}
            - ${x}
            %{ endfor ~}
            EOT
            """)
        #expect(try attributeValue(body, "x", EvaluationContext(variables: variables)) == "- a\n- b\n- c\n")
        #expect(try value("\"a  ${~ \"b\" ~}   c\"") == "abc")
    }

    @Test("misplaced directives are positioned errors")
    func badDirectives() {
        #expect(
            parseErrors("a = \"%{ endif }\"") == [
                "test.hcl:1:6: unexpected %{ endif }; there is no open %{ if } for it to close"
            ])
        #expect(
            parseErrors("a = \"%{ if true }x\"") == [
                "test.hcl:1:6: this directive is never closed; expected %{ endif } before the end of the template"
            ])
        #expect(
            parseErrors("a = \"%{ while x }\"") == [
                "test.hcl:1:9: unknown template directive \"while\"; expected if, else, endif, for or endfor"
            ])
    }
}
