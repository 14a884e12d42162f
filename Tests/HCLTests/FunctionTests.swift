import HCL
import Testing

@Suite("Standard library")
struct FunctionTests {
    struct Call: Sendable, CustomStringConvertible {
        let source: String
        let result: Value
        var description: String { source }
    }

    static let calls: [Call] = [
        Call(source: "upper(\"abc\")", result: "ABC"),
        Call(source: "lower(\"ABC\")", result: "abc"),
        Call(source: "title(\"hello big world\")", result: "Hello Big World"),
        Call(source: "trimspace(\"  a b \\n\")", result: "a b"),
        Call(source: "chomp(\"line\\n\\n\")", result: "line"),
        Call(source: "format(\"%s-%d-%v-%q-%%\", \"a\", 42, true, \"q\")", result: "a-42-true-\"q\"-%"),
        Call(source: "format(\"%.2f|%5d|%-4s|%03d|%+d\", 3.14159, 42, \"ab\", 7, 5)", result: "3.14|   42|ab  |007|+5"),
        Call(source: "format(\"%v %v\", [1, \"a\"], {k = null})", result: "[1,\"a\"] {\"k\":null}"),
        Call(source: "format(\"%t %x %X %o %b\", false, 255, 255, 8, 5)", result: "false ff FF 10 101"),
        Call(source: "join(\", \", [\"a\", \"b\"], [\"c\"])", result: "a, b, c"),
        Call(source: "join(\"-\", [1, 2])", result: "1-2"),
        Call(source: "split(\",\", \"a,b,,c\")", result: ["a", "b", "", "c"]),
        Call(source: "split(\",\", \"\")", result: []),
        Call(source: "replace(\"a-b-c\", \"-\", \"+\")", result: "a+b+c"),
        Call(source: "replace(\"a1b22\", \"/[0-9]+/\", \"#\")", result: "a#b#"),
        Call(source: "trimprefix(\"prefix-x\", \"prefix-\")", result: "x"),
        Call(source: "trimsuffix(\"x.hcl\", \".hcl\")", result: "x"),
        Call(source: "startswith(\"abc\", \"ab\")", result: true),
        Call(source: "endswith(\"abc\", \"x\")", result: false),
        Call(source: "substr(\"hello\", 1, 3)", result: "ell"),
        Call(source: "substr(\"hello\", -3, -1)", result: "llo"),
        Call(source: "indent(2, \"a\\nb\")", result: "a\n  b"),
        Call(source: "base64encode(\"hi\")", result: "aGk="),
        Call(source: "base64decode(\"aGk=\")", result: "hi"),
        Call(source: "length(\"héllo\")", result: 5),
        Call(source: "length([1, 2])", result: 2),
        Call(source: "length({a = 1})", result: 1),
        Call(source: "concat([1], [], [2, 3])", result: [1, 2, 3]),
        Call(source: "contains([\"a\", \"b\"], \"b\")", result: true),
        Call(source: "contains([1], \"1\")", result: false),
        Call(source: "element([\"a\", \"b\"], 3)", result: "b"),
        Call(source: "flatten([[1, [2]], 3])", result: [1, 2, 3]),
        Call(source: "distinct([1, 2, 1, 3, 2])", result: [1, 2, 3]),
        Call(source: "reverse([1, 2, 3])", result: [3, 2, 1]),
        Call(source: "sort([\"b\", \"a\", \"c\"])", result: ["a", "b", "c"]),
        Call(source: "compact([\"a\", \"\", null, \"b\"])", result: ["a", "b"]),
        Call(source: "keys({b = 1, a = 2})", result: ["a", "b"]),
        Call(source: "values({b = 1, a = 2})", result: [2, 1]),
        Call(source: "lookup({a = 1}, \"a\")", result: 1),
        Call(source: "lookup({a = 1}, \"b\", \"fallback\")", result: "fallback"),
        Call(source: "merge({a = 1, b = 1}, null, {b = 2})", result: ["a": 1, "b": 2]),
        Call(source: "merge()", result: [:]),
        Call(source: "zipmap([\"a\", \"b\"], [1, 2])", result: ["a": 1, "b": 2]),
        Call(source: "coalesce(null, \"\", \"x\", \"y\")", result: "x"),
        Call(source: "min(3, 1, 2)", result: 1),
        Call(source: "max(3, 10, 2)", result: 10),
        Call(source: "max(\"7\", 2)", result: 7),
        Call(source: "abs(-4)", result: 4),
        Call(source: "abs(-1.5)", result: 1.5),
        Call(source: "ceil(1.2)", result: 2),
        Call(source: "floor(-1.2)", result: -2),
        Call(source: "tostring(12)", result: "12"),
        Call(source: "tostring(null)", result: .null),
        Call(source: "tonumber(\"12.5\")", result: 12.5),
        Call(source: "tobool(\"true\")", result: true),
        Call(
            source: "jsonencode({a = [1, true, null], \"b\\\"\" = \"x\\n\"})",
            result: "{\"a\":[1,true,null],\"b\\\"\":\"x\\n\"}"),
    ]

    @Test("each function returns the documented result", arguments: calls)
    func call(_ call: Call) throws {
        #expect(try value(call.source) == call.result)
    }

    struct Failure: Sendable, CustomStringConvertible {
        let source: String
        let message: String
        var description: String { source }
    }

    static let failures: [Failure] = [
        Failure(source: "upper()", message: "expr.hcl:1:1: function \"upper\" expects 1 argument, but got 0"),
        Failure(
            source: "upper(\"a\", \"b\")", message: "expr.hcl:1:1: function \"upper\" expects 1 argument, but got 2"),
        Failure(
            source: "upper([1])",
            message:
                "expr.hcl:1:7: invalid argument 1 to function \"upper\": a string is required, but got tuple of 1 element"
        ),
        Failure(source: "lookup({})", message: "expr.hcl:1:1: function \"lookup\" expects 2 or 3 arguments, but got 1"),
        Failure(
            source: "lookup({}, \"k\")",
            message:
                "expr.hcl:1:12: invalid argument 2 to function \"lookup\": the map has no key \"k\" and no default was given"
        ),
        Failure(
            source: "lookup([], \"k\")",
            message:
                "expr.hcl:1:8: invalid argument 1 to function \"lookup\": an object is required, but got tuple of 0 elements"
        ),
        Failure(source: "min()", message: "expr.hcl:1:1: function \"min\" expects at least 1 argument, but got 0"),
        Failure(
            source: "max(1, \"x\")",
            message: "expr.hcl:1:8: invalid argument 2 to function \"max\": a number is required, but got string \"x\""),
        Failure(
            source: "join(\",\", [[1]])",
            message:
                "expr.hcl:1:11: invalid argument 2 to function \"join\": element 0 of the list must be a string, but it is tuple of 1 element"
        ),
        Failure(source: "split(\",\")", message: "expr.hcl:1:1: function \"split\" expects 2 arguments, but got 1"),
        Failure(
            source: "concat(1)",
            message: "expr.hcl:1:8: invalid argument 1 to function \"concat\": a list is required, but got number 1"),
        Failure(
            source: "length(5)",
            message:
                "expr.hcl:1:8: invalid argument 1 to function \"length\": a string, a list or an object is required, but got number 5"
        ),
        Failure(
            source: "merge({}, [1])",
            message:
                "expr.hcl:1:11: invalid argument 2 to function \"merge\": an object is required, but got tuple of 1 element"
        ),
        Failure(
            source: "coalesce(null, \"\")",
            message: "expr.hcl:1:1: call to function \"coalesce\" failed: all arguments are null or empty strings"),
        Failure(
            source: "tonumber(\"abc\")",
            message:
                "expr.hcl:1:10: invalid argument 1 to function \"tonumber\": cannot convert string \"abc\" to a number"),
        Failure(
            source: "tostring([1])",
            message:
                "expr.hcl:1:10: invalid argument 1 to function \"tostring\": cannot convert tuple of 1 element to a string"
        ),
        Failure(
            source: "tobool(1)",
            message: "expr.hcl:1:8: invalid argument 1 to function \"tobool\": cannot convert number 1 to a bool"),
        Failure(
            source: "format(\"%d\", \"x\")",
            message:
                "expr.hcl:1:14: invalid argument 2 to function \"format\": %d needs a whole number, but got string \"x\""
        ),
        Failure(
            source: "format(\"%s %s\", \"a\")",
            message:
                "expr.hcl:1:8: invalid argument 1 to function \"format\": not enough arguments: verb %s needs argument 3, but there are only 2"
        ),
        Failure(
            source: "format(\"%s\", \"a\", \"b\")",
            message:
                "expr.hcl:1:19: invalid argument 3 to function \"format\": too many arguments: the format uses 1 but 2 were given"
        ),
        Failure(
            source: "format(\"%y\", 1)",
            message:
                "expr.hcl:1:8: invalid argument 1 to function \"format\": unsupported verb %y; use %s, %d, %f, %e, %g, %v, %q, %t, %x, %o or %b"
        ),
        Failure(
            source: "element([], 0)",
            message: "expr.hcl:1:9: invalid argument 1 to function \"element\": cannot take an element of an empty list"
        ),
        Failure(
            source: "zipmap([\"a\"], [])",
            message:
                "expr.hcl:1:15: invalid argument 2 to function \"zipmap\": there are 0 values for 1 keys; the lists must have the same length"
        ),
        Failure(
            source: "replace(\"a\", \"/(/\", \"b\")",
            message:
                "expr.hcl:1:14: invalid argument 2 to function \"replace\": \"(\" is not a valid regular expression"),
        Failure(
            source: "base64decode(\"!!\")",
            message:
                "expr.hcl:1:14: invalid argument 1 to function \"base64decode\": the string is not valid base64 holding UTF-8 text"
        ),
        Failure(
            source: "substr(\"abc\", 5, 1)",
            message:
                "expr.hcl:1:15: invalid argument 2 to function \"substr\": offset 5 is outside a string of 3 characters"
        ),
        Failure(
            source: "upper(null)",
            message: "expr.hcl:1:7: invalid argument 1 to function \"upper\": string must not be null"),
        Failure(
            source: "concat([1], 2...)",
            message: "expr.hcl:1:13: the argument before \"...\" must be a list, but it is number 2"),
        Failure(source: "uper(\"a\")", message: "expr.hcl:1:1: unknown function \"uper\"; did you mean \"upper\"?"),
        Failure(source: "nosuchthing(1)", message: "expr.hcl:1:1: unknown function \"nosuchthing\""),
    ]

    @Test("wrong arity, wrong types and failures are positioned errors", arguments: failures)
    func failure(_ failure: Failure) {
        #expect(evaluationErrors(failure.source) == [failure.message])
    }

    @Test("functions added to the context are callable")
    func custom() throws {
        var functions = StandardLibrary.functions
        functions["double"] = HCLFunction(parameters: [.init("n", .number)]) { args in
            .double((args[0].asDouble() ?? 0) * 2)
        }
        let expression = try HCLParser.parseExpression("double(\"4\")", filename: "x.hcl")
        #expect(try evaluate(expression, in: EvaluationContext(functions: functions)) == 8)
    }
}

@Suite("Standard library arity and types")
struct FunctionContractTests {
    static let names = StandardLibrary.functions.keys.sorted()

    static func sample(_ type: HCLFunction.ParameterType) -> String {
        switch type {
        case .string: "\"a\""
        case .number: "1"
        case .bool: "true"
        case .list, .collection: "[\"a\"]"
        case .object: "{a = \"b\"}"
        case .any: "\"a\""
        }
    }

    static func wrong(_ type: HCLFunction.ParameterType) -> (source: String, phrase: String)? {
        switch type {
        case .string, .number, .bool, .list: ("{x = 1}", "object with 1 attribute")
        case .object: ("[1]", "tuple of 1 element")
        case .collection: ("5", "number 5")
        case .any: nil
        }
    }

    @Test("every function rejects too few or too many arguments with its arity", arguments: names)
    func arity(_ name: String) throws {
        let function = try #require(StandardLibrary.functions[name])
        let all = function.parameters + function.optionalParameters
        let count: Int
        if function.variadic == nil {
            count = all.count + 1
        } else if !function.parameters.isEmpty {
            count = function.parameters.count - 1
        } else {
            return
        }
        let arguments = (0..<count).map { Self.sample(all[min($0, all.count - 1)].type) }
        let messages = evaluationErrors("\(name)(\(arguments.joined(separator: ", ")))")
        #expect(messages.count == 1)
        #expect(messages.first?.hasPrefix("expr.hcl:1:1: function \"\(name)\" expects ") == true)
        #expect(messages.first?.hasSuffix(", but got \(count)") == true)
    }

    @Test("every typed parameter rejects a value of the wrong type at that argument", arguments: names)
    func types(_ name: String) throws {
        let function = try #require(StandardLibrary.functions[name])
        let parameters = function.parameters + function.optionalParameters + [function.variadic].compactMap { $0 }
        for (position, parameter) in parameters.enumerated() {
            guard let bad = Self.wrong(parameter.type) else { continue }
            var arguments = parameters.map { Self.sample($0.type) }
            arguments[position] = bad.source
            let source = "\(name)(\(arguments.joined(separator: ", ")))"
            let column = name.count + 2 + arguments[..<position].map { $0.count + 2 }.reduce(0, +)
            #expect(
                evaluationErrors(source) == [
                    "expr.hcl:1:\(column): invalid argument \(position + 1) to function \"\(name)\": "
                        + "\(parameter.type.description) is required, but got \(bad.phrase)"
                ], "\(source)")
        }
    }
}

extension HCLFunction.ParameterType {
    var description: String {
        switch self {
        case .any: "a value"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a bool"
        case .list: "a list"
        case .object: "an object"
        case .collection: "a list or an object"
        }
    }
}
