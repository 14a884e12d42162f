import Foundation

/// The built-in functions every configuration file may call.
public enum StandardLibrary {
    typealias Parameter = HCLFunction.Parameter

    public static let functions: [String: HCLFunction] = [
        "upper": stringFunction { $0.uppercased() },
        "lower": stringFunction { $0.lowercased() },
        "title": stringFunction(title),
        "trimspace": stringFunction { $0.trimmingCharacters(in: .whitespacesAndNewlines) },
        "chomp": stringFunction(chomp),
        "format": HCLFunction(
            parameters: [Parameter("format", .string)], variadic: Parameter("args", .any, allowNull: true)
        ) { args throws(FunctionError) in .string(try format(text(args, 0), Array(args.dropFirst()))) },
        "join": HCLFunction(
            parameters: [Parameter("separator", .string), Parameter("list", .list)], variadic: Parameter("lists", .list)
        ) { args throws(FunctionError) in
            var pieces: [String] = []
            for position in 1..<args.count {
                pieces.append(contentsOf: try strings(args[position], argument: position))
            }
            return .string(pieces.joined(separator: text(args, 0)))
        },
        "split": HCLFunction(parameters: [Parameter("separator", .string), Parameter("string", .string)]) { args in
            let separator = text(args, 0)
            let subject = text(args, 1)
            if subject.isEmpty { return .tuple([]) }
            if separator.isEmpty { return .tuple(subject.map { .string(String($0)) }) }
            return .tuple(subject.components(separatedBy: separator).map(Value.string))
        },
        "replace": HCLFunction(
            parameters: [
                Parameter("string", .string), Parameter("substring", .string), Parameter("replacement", .string),
            ]
        ) { args throws(FunctionError) in
            .string(try replace(text(args, 0), text(args, 1), text(args, 2)))
        },
        "trimprefix": HCLFunction(parameters: [Parameter("string", .string), Parameter("prefix", .string)]) { args in
            let subject = text(args, 0)
            let prefix = text(args, 1)
            return .string(subject.hasPrefix(prefix) ? String(subject.dropFirst(prefix.count)) : subject)
        },
        "trimsuffix": HCLFunction(parameters: [Parameter("string", .string), Parameter("suffix", .string)]) { args in
            let subject = text(args, 0)
            let suffix = text(args, 1)
            return .string(subject.hasSuffix(suffix) ? String(subject.dropLast(suffix.count)) : subject)
        },
        "startswith": HCLFunction(parameters: [Parameter("string", .string), Parameter("prefix", .string)]) { args in
            .bool(text(args, 0).hasPrefix(text(args, 1)))
        },
        "endswith": HCLFunction(parameters: [Parameter("string", .string), Parameter("suffix", .string)]) { args in
            .bool(text(args, 0).hasSuffix(text(args, 1)))
        },
        "substr": HCLFunction(
            parameters: [Parameter("string", .string), Parameter("offset", .number), Parameter("length", .number)]
        ) { args throws(FunctionError) in
            .string(try substring(text(args, 0), offset: try int(args, 1), length: try int(args, 2)))
        },
        "indent": HCLFunction(parameters: [Parameter("spaces", .number), Parameter("string", .string)]) {
            args throws(FunctionError) in
            let spaces = try int(args, 0)
            guard spaces >= 0 && spaces <= 1000 else {
                throw FunctionError("the number of spaces must be between 0 and 1000, but it is \(spaces)", argument: 0)
            }
            let padding = String(repeating: " ", count: spaces)
            return .string(text(args, 1).replacingOccurrences(of: "\n", with: "\n" + padding))
        },
        "base64encode": stringFunction { Data($0.utf8).base64EncodedString() },
        "base64decode": HCLFunction(parameters: [Parameter("string", .string)]) { args throws(FunctionError) in
            guard let data = Data(base64Encoded: text(args, 0)), let decoded = String(data: data, encoding: .utf8)
            else {
                throw FunctionError("the string is not valid base64 holding UTF-8 text", argument: 0)
            }
            return .string(decoded)
        },
        "length": HCLFunction(parameters: [Parameter("value", .any)]) { args throws(FunctionError) in
            switch args[0] {
            case .string(let value): return .int(value.count)
            case .tuple(let elements): return .int(elements.count)
            case .object(let object): return .int(object.count)
            default:
                throw FunctionError(
                    "a string, a list or an object is required, but got \(args[0].phrase)", argument: 0)
            }
        },
        "concat": HCLFunction(parameters: [Parameter("list", .list)], variadic: Parameter("lists", .list)) { args in
            .tuple(args.flatMap { $0.asArray() ?? [] })
        },
        "contains": HCLFunction(parameters: [Parameter("list", .list), Parameter("value", .any, allowNull: true)]) {
            args in
            .bool((args[0].asArray() ?? []).contains(args[1]))
        },
        "element": HCLFunction(parameters: [Parameter("list", .list), Parameter("index", .number)]) {
            args throws(FunctionError) in
            let elements = args[0].asArray() ?? []
            let position = try int(args, 1)
            guard !elements.isEmpty else { throw FunctionError("cannot take an element of an empty list", argument: 0) }
            guard position >= 0 else { throw FunctionError("the index must not be negative", argument: 1) }
            return elements[position % elements.count]
        },
        "flatten": HCLFunction(parameters: [Parameter("list", .list)]) { args in
            .tuple(flatten(args[0].asArray() ?? []))
        },
        "distinct": HCLFunction(parameters: [Parameter("list", .list)]) { args in
            var seen: Set<Value> = []
            return .tuple((args[0].asArray() ?? []).filter { seen.insert($0).inserted })
        },
        "reverse": HCLFunction(parameters: [Parameter("list", .list)]) { args in
            .tuple((args[0].asArray() ?? []).reversed())
        },
        "sort": HCLFunction(parameters: [Parameter("list", .list)]) { args throws(FunctionError) in
            .tuple(try strings(args[0], argument: 0).sorted().map(Value.string))
        },
        "compact": HCLFunction(parameters: [Parameter("list", .list)]) { args throws(FunctionError) in
            let kept = (args[0].asArray() ?? []).filter { !$0.isNull && $0 != .string("") }
            return .tuple(try strings(.tuple(kept), argument: 0).map(Value.string))
        },
        "keys": HCLFunction(parameters: [Parameter("object", .object)]) { args in
            .tuple((args[0].asObject()?.keys ?? []).sorted().map(Value.string))
        },
        "values": HCLFunction(parameters: [Parameter("object", .object)]) { args in
            let object = args[0].asObject() ?? [:]
            return .tuple(object.keys.sorted().compactMap { object[$0] })
        },
        "lookup": HCLFunction(
            parameters: [Parameter("map", .object), Parameter("key", .string)],
            optional: [Parameter("default", .any, allowNull: true)]
        ) { args throws(FunctionError) in
            let key = text(args, 1)
            if let found = args[0].asObject()?[key] { return found }
            guard args.count > 2 else {
                throw FunctionError("the map has no key \(jsonQuoted(key)) and no default was given", argument: 1)
            }
            return args[2]
        },
        "merge": HCLFunction(parameters: [], variadic: Parameter("objects", .object, allowNull: true)) { args in
            var merged = ObjectValue()
            for case .object(let object) in args {
                for (key, value) in object { merged[key] = value }
            }
            return .object(merged)
        },
        "zipmap": HCLFunction(parameters: [Parameter("keys", .list), Parameter("values", .list)]) {
            args throws(FunctionError) in
            let keys = try strings(args[0], argument: 0)
            let values = args[1].asArray() ?? []
            guard keys.count == values.count else {
                throw FunctionError(
                    "there are \(values.count) values for \(keys.count) keys; the lists must have the same length",
                    argument: 1)
            }
            return .object(ObjectValue(Array(zip(keys, values))))
        },
        "coalesce": HCLFunction(
            parameters: [Parameter("value", .any, allowNull: true)],
            variadic: Parameter("values", .any, allowNull: true)
        ) { args throws(FunctionError) in
            guard let found = args.first(where: { !$0.isNull && $0 != .string("") }) else {
                throw FunctionError("all arguments are null or empty strings")
            }
            return found
        },
        "min": HCLFunction(parameters: [Parameter("number", .number)], variadic: Parameter("numbers", .number)) {
            args in
            let numbers = args.compactMap { $0.asNumber() }
            return numbers.min().map(Value.number) ?? .null
        },
        "max": HCLFunction(parameters: [Parameter("number", .number)], variadic: Parameter("numbers", .number)) {
            args in
            let numbers = args.compactMap { $0.asNumber() }
            return numbers.max().map(Value.number) ?? .null
        },
        "abs": numberFunction(integer: { $0 < 0 ? -$0 : $0 }) { $0 < 0 ? -$0 : $0 },
        "ceil": numberFunction { $0.rounded(.up) },
        "floor": numberFunction { $0.rounded(.down) },
        "tostring": HCLFunction(parameters: [Parameter("value", .any, allowNull: true)]) { args throws(FunctionError) in
            if args[0].isNull { return .null }
            guard let converted = args[0].asString() else {
                throw FunctionError("cannot convert \(args[0].phrase) to a string", argument: 0)
            }
            return .string(converted)
        },
        "tonumber": HCLFunction(parameters: [Parameter("value", .any, allowNull: true)]) { args throws(FunctionError) in
            if args[0].isNull { return .null }
            guard let converted = args[0].asNumber() else {
                throw FunctionError("cannot convert \(args[0].phrase) to a number", argument: 0)
            }
            return .number(converted)
        },
        "tobool": HCLFunction(parameters: [Parameter("value", .any, allowNull: true)]) { args throws(FunctionError) in
            if args[0].isNull { return .null }
            guard let converted = args[0].asBool() else {
                throw FunctionError("cannot convert \(args[0].phrase) to a bool", argument: 0)
            }
            return .bool(converted)
        },
        "jsonencode": HCLFunction(parameters: [Parameter("value", .any, allowNull: true)]) { args in
            .string(jsonEncode(args[0]))
        },
    ]

    static func text(_ args: [Value], _ position: Int) -> String {
        position < args.count ? args[position].asString() ?? "" : ""
    }

    static func int(_ args: [Value], _ position: Int) throws(FunctionError) -> Int {
        guard position < args.count, let value = args[position].asInt() else {
            throw FunctionError("a whole number is required", argument: position)
        }
        return value
    }

    static func stringFunction(_ transform: @escaping @Sendable (String) -> String) -> HCLFunction {
        HCLFunction(parameters: [Parameter("string", .string)]) { args in .string(transform(text(args, 0))) }
    }

    static func numberFunction(
        integer: @escaping @Sendable (Int) -> Int = { $0 }, _ transform: @escaping @Sendable (Double) -> Double
    ) -> HCLFunction {
        HCLFunction(parameters: [Parameter("number", .number)]) { args in
            guard let number = args[0].asNumber() else { return .null }
            if number.isPlainInteger, let exact = number.int, exact != Int.min { return .int(integer(exact)) }
            return .double(transform(number.double))
        }
    }

    /// The elements of a list as strings (numbers and bools convert); `argument` is blamed otherwise.
    static func strings(_ list: Value, argument: Int) throws(FunctionError) -> [String] {
        var result: [String] = []
        for (position, element) in (list.asArray() ?? []).enumerated() {
            guard let string = element.asString() else {
                throw FunctionError(
                    "element \(position) of the list must be a string, but it is \(element.phrase)", argument: argument)
            }
            result.append(string)
        }
        return result
    }

    static func flatten(_ elements: [Value]) -> [Value] {
        var result: [Value] = []
        var pending = Array(elements.reversed())
        while let next = pending.popLast() {
            if case .tuple(let inner) = next {
                pending.append(contentsOf: inner.reversed())
            } else {
                result.append(next)
            }
        }
        return result
    }

    static func title(_ text: String) -> String {
        var result = ""
        var startOfWord = true
        for character in text {
            result += startOfWord ? character.uppercased() : String(character)
            startOfWord = !(character.isLetter || character.isNumber)
        }
        return result
    }

    static func chomp(_ text: String) -> String {
        var result = Substring(text)
        while result.hasSuffix("\n") || result.hasSuffix("\r") { result = result.dropLast() }
        return String(result)
    }

    /// HCL's substr: a negative offset counts from the end; length -1 means "to the end".
    static func substring(_ text: String, offset: Int, length: Int) throws(FunctionError) -> String {
        let characters = Array(text)
        var start = offset
        if start < 0 { start += characters.count }
        guard start >= 0 && start <= characters.count else {
            throw FunctionError("offset \(offset) is outside a string of \(characters.count) characters", argument: 1)
        }
        guard length >= -1 else { throw FunctionError("length must be -1 or more", argument: 2) }
        let end = length == -1 || length >= characters.count - start ? characters.count : start + length
        return String(characters[start..<max(start, end)])
    }

    /// Plain substring replacement, or a regular expression when `substring` is written as `/pattern/`.
    static func replace(_ text: String, _ substring: String, _ replacement: String) throws(FunctionError) -> String {
        guard substring.count >= 2, substring.hasPrefix("/"), substring.hasSuffix("/") else {
            if substring.isEmpty { return text }
            return text.replacingOccurrences(of: substring, with: replacement)
        }
        let pattern = String(substring.dropFirst().dropLast())
        guard let expression = try? NSRegularExpression(pattern: pattern) else {
            throw FunctionError("\(jsonQuoted(pattern)) is not a valid regular expression", argument: 1)
        }
        let whole = NSRange(text.startIndex..<text.endIndex, in: text)
        return expression.stringByReplacingMatches(in: text, range: whole, withTemplate: replacement)
    }
}
