import HCL
import Testing

@Suite("Parser")
struct ParserTests {
    @Test("blocks carry their type, quoted and bare labels, and ranges")
    func blocks() throws {
        let body = try parse(
            """
            job "api" {
              group web "extra" {
                count = 2
              }
            }
            empty {}
            single { a = 1 }
            """)
        #expect(body.blocks.map(\.type) == ["job", "empty", "single"])
        let job = try #require(body.blocks.first)
        #expect(job.labels.map(\.value) == ["api"])
        #expect(job.labels[0].range.start.column == 5)
        #expect(job.range.start.line == 1 && job.range.end.line == 5)
        let group = try #require(job.body.blocks.first)
        #expect(group.type == "group" && group.labels.map(\.value) == ["web", "extra"])
        #expect(group.typeRange.start.line == 2 && group.typeRange.start.column == 3)
        let count = try #require(group.body.attributes.first)
        #expect(count.name == "count" && count.nameRange.start.column == 5)
        #expect(try count.expression.evaluate(in: EvaluationContext()) == 2)
        #expect(body.blocks[1].body.items.isEmpty)
        #expect(try attributeValue(body.blocks[2].body, "a") == 1)
    }

    @Test("comments of every kind are ignored and attributes keep their order")
    func comments() throws {
        let body = try parse(
            """
            # hash comment
            a = 1 // trailing
            /* block
               comment */
            b = "x" # another
            c = [1, /* inline */ 2]
            """)
        #expect(body.attributes.map(\.name) == ["a", "b", "c"])
        #expect(try attributeValue(body, "c") == [1, 2])
    }

    struct Precedence: Sendable {
        let source: String
        let result: Value
    }

    @Test(
        "operators follow HCL precedence and associativity",
        arguments: [
            Precedence(source: "1 + 2 * 3", result: 7),
            Precedence(source: "(1 + 2) * 3", result: 9),
            Precedence(source: "10 - 4 - 3", result: 3),
            Precedence(source: "20 / 2 / 5", result: 2),
            Precedence(source: "7 % 4 * 2", result: 6),
            Precedence(source: "1 + 2 < 4", result: true),
            Precedence(source: "1 < 2 == true", result: true),
            Precedence(source: "true || false && false", result: true),
            Precedence(source: "!false && true", result: true),
            Precedence(source: "-2 * -3", result: 6),
            Precedence(source: "1 == 1 ? 2 + 3 : 4", result: 5),
            Precedence(source: "false ? 1 : true ? 2 : 3", result: 2),
            Precedence(source: "2 * 3 + 4 * 5 - 6 / 3", result: 24),
            Precedence(source: "1 >= 1 && 2 <= 1 || 3 > 2", result: true),
            Precedence(source: "1 != 2", result: true),
            Precedence(source: "-(1 + 2)", result: -3),
            Precedence(source: "7 / 2", result: 3.5),
        ])
    func precedence(_ testCase: Precedence) throws {
        #expect(try value(testCase.source) == testCase.result)
    }

    @Test("tuples and objects allow trailing commas, newlines and every key form")
    func collections() throws {
        #expect(try value("[1, \"two\", true, null,]") == [1, "two", true, .null])
        #expect(try value("[\n  1,\n  2\n]") == [1, 2])
        let object = try value(
            """
            {
              a = 1, "b": 2
              (k) = 3
              "c${k}" = 4
            }
            """, ["k": "key"])
        #expect(object == ["a": 1, "b": 2, "key": 3, "ckey": 4])
        #expect(object.asObject()?.keys == ["a", "b", "key", "ckey"])
    }

    @Test("traversals, indexes, legacy dot indexes and splats read nested values")
    func traversals() throws {
        let data: Value = ["items": [["name": "a", "ports": [1, 2]], ["name": "b", "ports": [3]]], "m": ["k": "v"]]
        let variables: [String: Value] = ["local": ["data": data]]
        #expect(try value("local.data.items[1].name", variables) == "b")
        #expect(try value("local.data.items.0.ports.1", variables) == 2)
        #expect(try value("local.data.m[\"k\"]", variables) == "v")
        #expect(try value("local.data.items[*].name", variables) == ["a", "b"])
        #expect(try value("local.data.items.*.name", variables) == ["a", "b"])
        #expect(try value("local.data.items[*].ports[0]", variables) == [1, 3])
    }

    @Test("function calls accept newlines, trailing commas and an expanded final argument")
    func calls() throws {
        #expect(try value("max(\n  1,\n  5,\n  3,\n)") == 5)
        #expect(try value("max([4, 9, 2]...)") == 9)
        #expect(try value("concat([1], [2, 3])") == [1, 2, 3])
    }

    @Test("for expressions build lists and objects, filter, and group")
    func forExpressions() throws {
        let variables: [String: Value] = ["local": ["xs": ["a", "", "b"], "m": ["x": 1, "y": 2]]]
        #expect(try value("[for x in local.xs : upper(x) if x != \"\"]", variables) == ["A", "B"])
        #expect(try value("[for i, x in local.xs : i]", variables) == [0, 1, 2])
        #expect(try value("{for k, v in local.m : k => v * 10}", variables) == ["x": 10, "y": 20])
        #expect(
            try value("{for k, v in local.m : v > 1 ? \"big\" : \"small\" => k...}", variables)
                == ["small": ["x"], "big": ["y"]])
        #expect(try value("{\n  for k, v in local.m :\n  v => k\n}", variables) == ["1": "x", "2": "y"])
    }

    @Test("a single-line block with one attribute parses, and one with two is a positioned error")
    func singleLineBlocks() throws {
        let body = try parse("config { command = \"/bin/api\" }\n")
        #expect(try attributeValue(body.blocks[0].body, "command") == "/bin/api")
        #expect(
            parseErrors("config { command = \"/bin/api\" args = [\"-listen\"] }\nnext = 1\n") == [
                "test.hcl:1:31: a single-line block may contain only one attribute; put \"args\" and the other "
                    + "attributes of \"config\" on separate lines"
            ])
    }

    @Test("a duplicate attribute in one body is an error naming the first definition")
    func duplicates() {
        #expect(
            parseErrors("a = 1\nb = 2\na = 3\n") == [
                "test.hcl:3:1: duplicate attribute \"a\"; it was already set at line 1, column 1"
            ])
        #expect(parseErrors("x { a = 1 }\nx { a = 2 }\n").isEmpty)
    }

    @Test("blocks written inside object values (HCL1 style) become block items of the object")
    func hcl1BlocksInObjects() throws {
        let body = try parse(
            """
            Routes = [{ Match { HTTP { PathPrefix = "/admin" } } Destination { Service = "admin" } }]
            """)
        let routes = try #require(body.attribute(named: "Routes"))
        guard case .tuple(let elements) = routes.expression.kind, case .object(let items) = elements.first?.kind else {
            Issue.record("expected a tuple of objects")
            return
        }
        #expect(items.map(\.name) == ["Match", "Destination"])
        #expect(items.allSatisfy { $0.isBlock })
        #expect(
            try attributeValue(body, "Routes")
                == [["Match": ["HTTP": ["PathPrefix": "/admin"]], "Destination": ["Service": "admin"]]])
    }

    @Test("HCL1 nested blocks in objects may carry labels and repeat")
    func hcl1Labels() throws {
        let body = try parse(
            """
            x = {
              port "http" { to = 80 }
              port "grpc" { to = 81 }
              rule { a = 1 }
              rule { a = 2 }
            }
            """)
        #expect(
            try attributeValue(body, "x")
                == ["port": ["http": ["to": 80], "grpc": ["to": 81]], "rule": [["a": 1], ["a": 2]]])
    }

    @Test("numbers keep their literal text, however long")
    func numberText() throws {
        let big = try value("123456789012345678901234567890")
        #expect(big.asNumber()?.text == "123456789012345678901234567890")
        #expect(big.asInt() == nil)
        #expect(try value("9007199254740993").asInt() == 9_007_199_254_740_993)
        #expect(try value("1.50").asNumber()?.text == "1.50")
        #expect(try value("-0.5") == -0.5)
    }
}
