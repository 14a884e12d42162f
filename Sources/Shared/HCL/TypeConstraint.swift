/// A declared variable type, used to check defaults and convert values from files, flags and the environment.
public indirect enum TypeConstraint: Sendable, Hashable, CustomStringConvertible {
    case any
    case string
    case number
    case bool
    case list(TypeConstraint)
    case set(TypeConstraint)
    case map(TypeConstraint)
    case object([Field])
    case tuple([TypeConstraint])

    /// An attribute of an object type; `optional(T)` fields may be missing and then become null.
    public struct Field: Sendable, Hashable {
        public var name: String
        public var type: TypeConstraint
        public var optional: Bool

        public init(name: String, type: TypeConstraint, optional: Bool = false) {
            self.name = name
            self.type = type
            self.optional = optional
        }
    }

    public var description: String {
        switch self {
        case .any: "any"
        case .string: "string"
        case .number: "number"
        case .bool: "bool"
        case .list(let element): "list(\(element))"
        case .set(let element): "set(\(element))"
        case .map(let element): "map(\(element))"
        case .object(let fields):
            "object({"
                + fields.map { "\($0.name) = \($0.optional ? "optional(\($0.type))" : "\($0.type)")" }
                .joined(separator: ", ") + "})"
        case .tuple(let elements): "tuple([" + elements.map(\.description).joined(separator: ", ") + "])"
        }
    }

    var isPrimitive: Bool {
        switch self {
        case .string, .number, .bool, .any: true
        default: false
        }
    }

    /// Why a value does not fit a type.
    public struct Mismatch: Error, Sendable, Hashable {
        public var message: String
    }

    /// Converts `value` to this type as HCL does (`"5"` → 5 for number, 5 → `"5"` for string); null stays null.
    public func convert(_ value: Value) throws(Mismatch) -> Value {
        if value.isNull { return .null }
        func required(_ what: String) -> Mismatch {
            Mismatch(message: "\(what) is required, but got \(value.phrase)")
        }
        switch self {
        case .any:
            return value
        case .string:
            guard let converted = value.asString() else { throw required("a string") }
            return .string(converted)
        case .number:
            guard let converted = value.asNumber() else { throw required("a number") }
            return .number(converted)
        case .bool:
            guard let converted = value.asBool() else { throw required("a bool") }
            return .bool(converted)
        case .list(let element), .set(let element):
            guard let elements = value.asArray() else { throw required(isSet ? "a set" : "a list") }
            var converted: [Value] = []
            for (position, item) in elements.enumerated() {
                do {
                    converted.append(try element.convert(item))
                } catch {
                    throw Mismatch(message: "element \(position): \(error.message)")
                }
            }
            if isSet {
                var seen: Set<Value> = []
                converted = converted.filter { seen.insert($0).inserted }
            }
            return .tuple(converted)
        case .map(let element):
            guard let object = value.asObject() else { throw required("a map") }
            var converted = ObjectValue()
            for (key, item) in object {
                do {
                    converted[key] = try element.convert(item)
                } catch {
                    throw Mismatch(message: "key \(jsonQuoted(key)): \(error.message)")
                }
            }
            return .object(converted)
        case .object(let fields):
            guard let object = value.asObject() else { throw required("an object") }
            var converted = ObjectValue()
            for field in fields {
                guard let item = object[field.name] else {
                    if field.optional {
                        converted[field.name] = .null
                        continue
                    }
                    throw Mismatch(message: "attribute \(jsonQuoted(field.name)) is required")
                }
                do {
                    converted[field.name] = try field.type.convert(item)
                } catch {
                    throw Mismatch(message: "attribute \(jsonQuoted(field.name)): \(error.message)")
                }
            }
            return .object(converted)
        case .tuple(let types):
            guard let elements = value.asArray() else { throw required("a tuple") }
            guard elements.count == types.count else {
                throw Mismatch(message: "a tuple of \(types.count) elements is required, but got \(elements.count)")
            }
            var converted: [Value] = []
            for (position, pair) in zip(types, elements).enumerated() {
                do {
                    converted.append(try pair.0.convert(pair.1))
                } catch {
                    throw Mismatch(message: "element \(position): \(error.message)")
                }
            }
            return .tuple(converted)
        }
    }

    var isSet: Bool {
        if case .set = self { true } else { false }
    }

    static let expectedForms =
        "expected string, number, bool, any, list(T), set(T), map(T), object({...}) or tuple([...])"

    /// Reads a type expression such as `string` or `map(list(number))`.
    public static func parse(_ expression: Expression) throws(Diagnostics) -> TypeConstraint {
        func invalid(_ range: SourceRange) -> Diagnostics {
            Diagnostics(.error("invalid type; \(expectedForms)", at: range))
        }
        switch expression.kind {
        case .variable(let name), .literal(.string(let name)):
            switch name {
            case "string": return .string
            case "number": return .number
            case "bool": return .bool
            case "any": return .any
            case "list": return .list(.any)
            case "map": return .map(.any)
            case "set": return .set(.any)
            default: throw invalid(expression.range)
            }
        case .functionCall(let name, _, let arguments, false) where arguments.count == 1:
            let argument = arguments[0]
            switch name {
            case "list": return .list(try parse(argument))
            case "set": return .set(try parse(argument))
            case "map": return .map(try parse(argument))
            case "tuple":
                guard case .tuple(let elements) = argument.kind else { throw invalid(argument.range) }
                var types: [TypeConstraint] = []
                for element in elements { types.append(try parse(element)) }
                return .tuple(types)
            case "object":
                guard case .object(let items) = argument.kind else { throw invalid(argument.range) }
                var fields: [Field] = []
                for item in items {
                    guard let fieldName = item.name, !item.isBlock else { throw invalid(item.keyRange) }
                    if case .functionCall("optional", _, let inner, false) = item.value.kind, inner.count == 1 {
                        fields.append(Field(name: fieldName, type: try parse(inner[0]), optional: true))
                    } else {
                        fields.append(Field(name: fieldName, type: try parse(item.value)))
                    }
                }
                return .object(fields)
            default:
                throw invalid(expression.range)
            }
        default:
            throw invalid(expression.range)
        }
    }
}
