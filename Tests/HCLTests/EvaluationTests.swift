import HCL
import Testing

@Suite("Evaluation")
struct EvaluationTests {
    static let runtime: [String] = [
        "${NOMAD_PORT_http}", "${attr.kernel.name}", "${node.class}", "${node.unique.name}", "${meta.x}",
        "${env[\"X\"]}", "${NOMAD_ALLOC_DIR}", "${NOMAD_ADDR_http}", "${node.datacenter}",
    ]

    @Test("runtime interpolations Nomad resolves on the client are kept verbatim", arguments: runtime)
    func runtimeKept(_ interpolation: String) throws {
        let source = "\"" + interpolation + "\""
        #expect(try value(source, ["var": ["x": 1]]) == .string(interpolation))
        let embedded = "\"pre/" + interpolation + "/post\""
        #expect(try value(embedded) == .string("pre/\(interpolation)/post"))
    }

    @Test("known and runtime references mix in one string")
    func mixed() throws {
        let variables: [String: Value] = ["var": ["port": 8080]]
        #expect(try value("\"http://${NOMAD_ADDR_http}/x\"") == "http://${NOMAD_ADDR_http}/x")
        #expect(
            try value("\"${var.port}:${NOMAD_PORT_http} ${ node.class }\"", variables)
                == "8080:${NOMAD_PORT_http} ${ node.class }")
        let body = try parse("args = [\"-listen\", \":${NOMAD_PORT_http}\"]\n")
        #expect(try attributeValue(body, "args") == ["-listen", ":${NOMAD_PORT_http}"])
    }

    @Test("unknown var and local references are errors, not runtime values")
    func unknownDeclared() {
        #expect(
            evaluationErrors("\"${var.x}\"") == [
                "expr.hcl:1:4: unknown variable var.x; declare it in a variable block"
            ])
        #expect(
            evaluationErrors("local.y.z", ["local": ["a": 1]]) == [
                "expr.hcl:1:1: unknown local value local.y; define it in a locals block"
            ])
        #expect(
            evaluationErrors("node.class") == [
                "expr.hcl:1:1: unknown variable \"node\"; reference input variables as var.<name> and locals as "
                    + "local.<name>, and write runtime values inside a string, as in \"${node}\""
            ])
    }

    struct Failure: Sendable {
        let source: String
        let message: String
    }

    @Test(
        "operators report type errors at the operand",
        arguments: [
            Failure(
                source: "1 + \"a\"",
                message: "expr.hcl:1:5: invalid operand for \"+\": a number is required, but got string \"a\""),
            Failure(
                source: "!5", message: "expr.hcl:1:2: invalid operand for \"!\": a bool is required, but got number 5"),
            Failure(
                source: "true && 1",
                message: "expr.hcl:1:9: invalid operand for \"&&\": a bool is required, but got number 1"),
            Failure(
                source: "[1] < 2",
                message: "expr.hcl:1:1: invalid operand for \"<\": a number is required, but got tuple of 1 element"),
            Failure(
                source: "-\"x\"",
                message: "expr.hcl:1:2: invalid operand for \"-\": a number is required, but got string \"x\""),
            Failure(source: "1 / 0", message: "expr.hcl:1:5: division by zero"),
            Failure(
                source: "5 ? 1 : 2",
                message: "expr.hcl:1:1: the condition of \"? :\" must be a bool, but it is number 5"),
            Failure(source: "[1, 2][5]", message: "expr.hcl:1:8: index 5 is out of range for a list of 2 elements"),
            Failure(source: "{a = 1}.b", message: "expr.hcl:1:1: object has no attribute \"b\"; it has: a"),
            Failure(
                source: "\"x${[1]}\"",
                message:
                    "expr.hcl:1:5: cannot insert a tuple into a string; convert it with jsonencode(...) or join(...)"),
            Failure(source: "{a = 1, a = 2}", message: "expr.hcl:1:9: duplicate key \"a\" in object"),
            Failure(
                source: "[for x in 5 : x]",
                message: "expr.hcl:1:11: cannot iterate over number 5; a list or an object is required"),
        ])
    func operatorErrors(_ failure: Failure) {
        #expect(evaluationErrors(failure.source) == [failure.message])
    }

    @Test("strings holding numbers and bools convert where HCL converts them")
    func conversions() throws {
        #expect(try value("\"2\" + 3") == 5)
        #expect(try value("\"true\" && true") == true)
        #expect(try value("1 == \"1\"") == false)
        #expect(try value("9223372036854775807 + 1").asDouble() == 9_223_372_036_854_775_808)
        #expect(try value("0.1 + 0.2").asDouble() == 0.1 + 0.2)
        #expect(try value("6 / 2").asNumber()?.text == "3")
    }

    @Test("Value helpers accept HCL1-era strings holding numbers and bools")
    func valueHelpers() {
        #expect(Value.string("9090").asInt() == 9090)
        #expect(Value.string(" 42 ").asInt() == 42)
        #expect(Value.string("9090x").asInt() == nil)
        #expect(Value.string("1.5").asInt() == nil)
        #expect(Value.int(3).asString() == "3")
        #expect(Value.string("false").asBool() == false)
        #expect(Value.double(2.0).asInt() == 2)
        #expect(Value.string("2.5").asDouble() == 2.5)
    }

    @Test("errors in several list elements are all reported")
    func severalErrors() {
        #expect(evaluationErrors("[var.a, 1 + true, var.b]").count == 3)
    }
}
