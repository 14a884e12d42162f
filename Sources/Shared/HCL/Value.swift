import Foundation

/// A number that keeps its literal text, so integers beyond Double precision stay exact as text.
public struct Number: Sendable, Hashable, CustomStringConvertible, Comparable {
    /// The literal as written, or a canonical rendering for computed numbers.
    public let text: String
    public let double: Double

    public init(_ value: Int) {
        self.text = String(value)
        self.double = Double(value)
    }

    public init(_ value: Double) {
        self.double = value
        self.text = Number.render(value)
    }

    /// A number from literal text such as `42`, `-1.5` or `1e3`; nil if it is not a finite number.
    public init?(text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard Number.isNumberSyntax(trimmed), let value = Double(trimmed), value.isFinite else { return nil }
        self.text = trimmed
        self.double = value
    }

    /// Whether the text is an optionally signed run of digits, exact however long it is.
    var isPlainInteger: Bool {
        let digits = text.utf8.drop { $0 == UInt8(ascii: "-") }
        return !digits.isEmpty && digits.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// The number as HCL converts it to a string: integers exactly as written, others in shortest form
    /// (`1.50` → `1.5`, `1e3` → `1000`).
    public var canonicalText: String {
        isPlainInteger ? text : Number.render(double)
    }

    /// Whether the value is a whole number.
    public var isInteger: Bool { double.isFinite && double.rounded(.towardZero) == double }

    /// The value as an `Int` when it is a whole number that fits exactly.
    public var int: Int? {
        if let exact = Int(text) { return exact }
        guard isInteger, abs(double) <= 9_007_199_254_740_992 else { return nil }
        return Int(double)
    }

    public var description: String { text }

    public static func == (lhs: Number, rhs: Number) -> Bool {
        if let left = Int(lhs.text), let right = Int(rhs.text) { return left == right }
        return lhs.double == rhs.double
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(double)
    }

    public static func < (lhs: Number, rhs: Number) -> Bool {
        if let left = Int(lhs.text), let right = Int(rhs.text) { return left < right }
        return lhs.double < rhs.double
    }

    /// Whole numbers print without a fraction; others in the shortest form that reads back exactly.
    static func render(_ value: Double) -> String {
        if value.isFinite && value.rounded(.towardZero) == value && abs(value) < 1e21 {
            if let exact = Int(exactly: value) { return String(exact) }
            return String(format: "%.0f", value)
        }
        return "\(value)"
    }

    /// `-`? digits (`.` digits)? (`e` sign? digits)? — the forms HCL accepts when converting a string.
    static func isNumberSyntax(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        func digits() -> Int {
            let count = bytes.prefix { $0 >= 0x30 && $0 <= 0x39 }.count
            bytes = bytes.dropFirst(count)
            return count
        }
        guard digits() > 0 else { return false }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            guard digits() > 0 else { return false }
        }
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return bytes.isEmpty
    }
}

/// An object value whose keys keep the order they were written in.
public struct ObjectValue: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var keys: [String] = []
    private var storage: [String: Value] = [:]

    public init() {}

    public init(_ pairs: [(String, Value)]) {
        for (key, value) in pairs { self[key] = value }
    }

    public init(dictionaryLiteral elements: (String, Value)...) {
        self.init(elements)
    }

    public subscript(key: String) -> Value? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }
    public var values: [Value] { keys.compactMap { storage[$0] } }

    public func makeIterator() -> AnyIterator<(key: String, value: Value)> {
        var position = 0
        let keys = self.keys
        let storage = self.storage
        return AnyIterator {
            while position < keys.count {
                let key = keys[position]
                position += 1
                if let value = storage[key] { return (key, value) }
            }
            return nil
        }
    }

    /// Objects are equal when they hold the same keys and values, in any order.
    public static func == (lhs: ObjectValue, rhs: ObjectValue) -> Bool {
        lhs.storage == rhs.storage
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage)
    }
}

/// A value produced by evaluating HCL: the JSON-like data model of HCL with exact number text.
public enum Value: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Number)
    case string(String)
    /// Lists, sets and tuples.
    case tuple([Value])
    /// Maps and objects.
    case object(ObjectValue)

    public static func int(_ value: Int) -> Value { .number(Number(value)) }
    public static func double(_ value: Double) -> Value { .number(Number(value)) }

    /// `null`, `bool`, `number`, `string`, `tuple` or `object`.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .number: "number"
        case .string: "string"
        case .tuple: "tuple"
        case .object: "object"
        }
    }

    public var isNull: Bool {
        if case .null = self { true } else { false }
    }

    /// A whole number, also from a string holding one (`"9090"`), as HCL1-era files write numbers.
    public func asInt() -> Int? {
        switch self {
        case .number(let number): number.int
        case .string(let text): Number(text: text)?.int
        default: nil
        }
    }

    /// A number, also from a string holding one.
    public func asDouble() -> Double? {
        switch self {
        case .number(let number): number.double
        case .string(let text): Number(text: text)?.double
        default: nil
        }
    }

    /// A number value, also from a string holding one.
    public func asNumber() -> Number? {
        switch self {
        case .number(let number): number
        case .string(let text): Number(text: text)
        default: nil
        }
    }

    /// A bool, also from the strings `"true"` and `"false"`.
    public func asBool() -> Bool? {
        switch self {
        case .bool(let flag): flag
        case .string("true"): true
        case .string("false"): false
        default: nil
        }
    }

    /// A string; numbers and bools convert to their text as HCL converts them.
    public func asString() -> String? {
        switch self {
        case .string(let text): text
        case .number(let number): number.canonicalText
        case .bool(let flag): flag ? "true" : "false"
        default: nil
        }
    }

    public func asArray() -> [Value]? {
        if case .tuple(let elements) = self { elements } else { nil }
    }

    public func asObject() -> ObjectValue? {
        if case .object(let object) = self { object } else { nil }
    }

    /// A member of an object value.
    public subscript(key: String) -> Value? {
        asObject()?[key]
    }

    /// Names the value for messages: `string "abc"`, `number 3`, `bool true`, `null`, `tuple`, `object`.
    public var phrase: String {
        switch self {
        case .null: "null"
        case .bool(let flag): "bool \(flag)"
        case .number(let number):
            "number \(number.text.count > 30 ? String(number.text.prefix(30)) + "..." : number.text)"
        case .string(let text):
            "string \(jsonQuoted(text.count > 40 ? String(text.prefix(40)) + "..." : text))"
        case .tuple(let elements): "tuple of \(elements.count) element\(elements.count == 1 ? "" : "s")"
        case .object(let object): "object with \(object.count) attribute\(object.count == 1 ? "" : "s")"
        }
    }
}

extension Value: CustomStringConvertible {
    /// HCL-like rendering: `"a"`, `1`, `[1, 2]`, `{ a = 1 }`.
    public var description: String {
        switch self {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .number(let number): number.text
        case .string(let text): jsonQuoted(text)
        case .tuple(let elements): "[" + elements.map(\.description).joined(separator: ", ") + "]"
        case .object(let object):
            object.isEmpty
                ? "{}" : "{ " + object.map { "\(jsonQuoted($0.key)) = \($0.value)" }.joined(separator: ", ") + " }"
        }
    }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: Value...) { self = .tuple(elements) }
    public init(dictionaryLiteral elements: (String, Value)...) { self = .object(ObjectValue(elements)) }
}

extension Value {
    /// Nodes in the value, counting shared parts each time they appear and strings one per 8 bytes;
    /// stops counting once past `limit`.
    func expandedSize(limit: Int) -> Int {
        var count = 0
        var pending: [Value] = [self]
        while let next = pending.popLast(), count <= limit {
            count += 1
            switch next {
            case .string(let text): count += text.utf8.count / 8
            case .tuple(let elements): pending.append(contentsOf: elements)
            case .object(let object): pending.append(contentsOf: object.values)
            default: break
            }
        }
        return count
    }

    /// How many collections deep the value goes, computed without recursion.
    var nestingDepth: Int {
        var deepest = 0
        var pending: [(Value, Int)] = [(self, 1)]
        while let (next, depth) = pending.popLast() {
            deepest = max(deepest, depth)
            switch next {
            case .tuple(let elements): pending.append(contentsOf: elements.map { ($0, depth + 1) })
            case .object(let object): pending.append(contentsOf: object.values.map { ($0, depth + 1) })
            default: break
            }
        }
        return deepest
    }
}

/// `text` as a JSON string literal.
func jsonQuoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\r": result += "\\r"
        case "\t": result += "\\t"
        default:
            if scalar.value < 0x20 {
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
    }
    return result + "\""
}

/// Renders a value as JSON, keeping object keys in order.
func jsonEncode(_ value: Value) -> String {
    switch value {
    case .null: "null"
    case .bool(let flag): flag ? "true" : "false"
    case .number(let number): number.canonicalText
    case .string(let text): jsonQuoted(text)
    case .tuple(let elements): "[" + elements.map(jsonEncode).joined(separator: ",") + "]"
    case .object(let object):
        "{" + object.map { jsonQuoted($0.key) + ":" + jsonEncode($0.value) }.joined(separator: ",") + "}"
    }
}
