/// The variables and functions an expression may use.
public struct EvaluationContext: Sendable {
    /// Values by root name, e.g. `"var"` → object of input variables, `"local"` → object of locals.
    public var variables: [String: Value]
    public var functions: [String: HCLFunction]
    /// Roots that must be defined: referencing a missing `var.x` is an error, not a runtime value.
    public var declaredRoots: Set<String>

    public init(
        variables: [String: Value] = [:], functions: [String: HCLFunction] = StandardLibrary.functions,
        declaredRoots: Set<String> = ["var", "local"]
    ) {
        self.variables = variables
        self.functions = functions
        self.declaredRoots = declaredRoots
    }

    /// Whether `root` is known here; references to other roots in a template are runtime values kept verbatim.
    public func defines(_ root: String) -> Bool {
        variables[root] != nil || declaredRoots.contains(root)
    }

    /// Evaluates `expression` in this context.
    public func evaluate(_ expression: Expression) throws(Diagnostics) -> Value {
        do throws(EvalFailure) {
            let evaluator = Evaluator(context: self, budget: EvaluationBudget())
            let result = try evaluator.evaluate(expression)
            try evaluator.spend(result.expandedSize(limit: evaluator.budget.remaining), expression.range)
            return result
        } catch {
            if case .exhausted = error { throw EvalFailure.exhausted(expression.range).diagnostics }
            throw error.diagnostics
        }
    }
}

/// Evaluates `expression` in `context`; a template keeps unknown roots such as `${NOMAD_PORT_http}` verbatim.
public func evaluate(_ expression: Expression, in context: EvaluationContext) throws(Diagnostics) -> Value {
    try context.evaluate(expression)
}

extension Expression {
    public func evaluate(in context: EvaluationContext) throws(Diagnostics) -> Value {
        try context.evaluate(self)
    }
}

/// A function callable from HCL, with its parameters checked and converted before it runs.
public struct HCLFunction: Sendable {
    public enum ParameterType: Sendable, Hashable {
        case any, string, number, bool, list, object
        /// A list or an object.
        case collection

        var phrase: String {
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

        func convert(_ value: Value) -> Value? {
            switch self {
            case .any: value
            case .string: value.asString().map(Value.string)
            case .number: value.asNumber().map(Value.number)
            case .bool: value.asBool().map(Value.bool)
            case .list: value.asArray() != nil ? value : nil
            case .object: value.asObject() != nil ? value : nil
            case .collection: value.asArray() != nil || value.asObject() != nil ? value : nil
            }
        }
    }

    public struct Parameter: Sendable {
        public var name: String
        public var type: ParameterType
        public var allowNull: Bool

        public init(_ name: String, _ type: ParameterType, allowNull: Bool = false) {
            self.name = name
            self.type = type
            self.allowNull = allowNull
        }
    }

    public typealias Implementation = @Sendable ([Value]) throws(FunctionError) -> Value

    public var parameters: [Parameter]
    public var optionalParameters: [Parameter]
    public var variadic: Parameter?
    public var implementation: Implementation

    public init(
        parameters: [Parameter], optional: [Parameter] = [], variadic: Parameter? = nil,
        implementation: @escaping Implementation
    ) {
        self.parameters = parameters
        self.optionalParameters = optional
        self.variadic = variadic
        self.implementation = implementation
    }

    func parameter(at position: Int) -> Parameter? {
        if position < parameters.count { return parameters[position] }
        let optionalIndex = position - parameters.count
        if optionalIndex < optionalParameters.count { return optionalParameters[optionalIndex] }
        return variadic
    }

    /// "1 argument", "2 or 3 arguments", "at least 1 argument".
    var arityPhrase: String {
        let minimum = parameters.count
        let plural = { (count: Int) in count == 1 ? "argument" : "arguments" }
        if variadic != nil { return "at least \(minimum) \(plural(minimum))" }
        let maximum = minimum + optionalParameters.count
        if maximum == minimum { return "\(minimum) \(plural(minimum))" }
        if maximum == minimum + 1 { return "\(minimum) or \(maximum) arguments" }
        return "\(minimum) to \(maximum) arguments"
    }
}

/// An error raised by a function's implementation; `argument` (0-based) says which argument to blame.
public struct FunctionError: Error, Sendable {
    public var message: String
    public var argument: Int?

    public init(_ message: String, argument: Int? = nil) {
        self.message = message
        self.argument = argument
    }
}

enum EvalFailure: Error {
    case diagnostics([Diagnostic])
    /// A reference to a root the context does not define: a value the client fills in at run time.
    case runtimeReference(String, SourceRange)
    /// The evaluation did more work or built larger values than `EvaluationBudget` allows.
    case exhausted(SourceRange)

    var diagnostics: Diagnostics {
        switch self {
        case .diagnostics(let items):
            return Diagnostics(items)
        case .runtimeReference(let name, let range):
            return Diagnostics(
                .error(
                    "unknown variable \"\(name)\"; reference input variables as var.<name> and locals as "
                        + "local.<name>, and write runtime values inside a string, as in \"${\(name)}\"",
                    at: range))
        case .exhausted(let range):
            return Diagnostics(
                .error(
                    "this expression takes too much work to evaluate or builds values that are too large "
                        + "(limit \(EvaluationBudget.limit) steps); simplify it", at: range))
        }
    }

    static func error(_ message: String, _ range: SourceRange) -> EvalFailure {
        .diagnostics([.error(message, at: range)])
    }
}

/// Work left for one evaluation, so inputs that multiply values (nested for expressions, locals that double
/// each other) fail with an error instead of hanging.
final class EvaluationBudget {
    static let limit = 1_000_000
    var remaining = EvaluationBudget.limit
}

struct Evaluator {
    var context: EvaluationContext
    let budget: EvaluationBudget

    func spend(_ amount: Int, _ range: SourceRange) throws(EvalFailure) {
        budget.remaining -= amount
        if budget.remaining < 0 { throw .exhausted(range) }
    }

    func evaluate(_ expression: Expression) throws(EvalFailure) -> Value {
        let range = expression.range
        try spend(1, range)
        switch expression.kind {
        case .literal(let value):
            return value
        case .template(let parts):
            if parts.count == 1, case .interpolation(let inner, let source, _) = parts[0] {
                do {
                    return try evaluate(inner)
                } catch {
                    if case .runtimeReference = error { return .string(source) }
                    throw error
                }
            }
            var output = ""
            try render(parts, into: &output)
            return .string(output)
        case .variable(let name):
            if let value = context.variables[name] { return value }
            if context.declaredRoots.contains(name) { return .object([:]) }
            throw .runtimeReference(name, range)
        case .getAttribute(let base, let name, _):
            let value = try evaluate(base)
            if case .variable(let root) = base.kind, context.declaredRoots.contains(root),
                value.asObject()?[name] == nil
            {
                throw .error(Self.unknownDeclared(root: root, name: name), range)
            }
            return try attribute(name, of: value, range: range)
        case .index(let base, let key):
            let value = try evaluate(base)
            let keyValue = try evaluate(key)
            if case .variable(let root) = base.kind, context.declaredRoots.contains(root),
                let name = keyValue.asString(), value.asObject()?[name] == nil
            {
                throw .error(Self.unknownDeclared(root: root, name: name), range)
            }
            return try index(value, keyValue, keyRange: key.range)
        case .splat(let base, let steps):
            let source = try evaluate(base)
            let elements: [Value] =
                switch source {
                case .null: []
                case .tuple(let elements): elements
                default: [source]
                }
            var results: [Value] = []
            for element in elements {
                var current = element
                for step in steps {
                    switch step {
                    case .attribute(let name, let stepRange):
                        current = try attribute(name, of: current, range: stepRange)
                    case .index(let key):
                        current = try index(current, try evaluate(key), keyRange: key.range)
                    }
                }
                results.append(current)
            }
            return .tuple(results)
        case .tuple(let elements):
            return .tuple(try evaluateAll(elements))
        case .object(let items):
            return try evaluateObject(items)
        case .functionCall(let name, let nameRange, let arguments, let expandFinal):
            return try call(name, nameRange: nameRange, arguments: arguments, expandFinal: expandFinal, range: range)
        case .unary(let op, let operand):
            let value = try evaluate(operand)
            switch op {
            case .negate:
                let number = try self.number(value, for: "-", range: operand.range)
                if let int = number.int, number.isPlainInteger, int != Int.min { return .int(-int) }
                return .double(-number.double)
            case .not:
                return .bool(!(try bool(value, for: "!", range: operand.range)))
            }
        case .binary(let op, let lhs, let rhs):
            return try binary(op, lhs, rhs)
        case .conditional(let condition, let then, let otherwise):
            let value = try evaluate(condition)
            guard let flag = value.asBool() else {
                throw .error("the condition of \"? :\" must be a bool, but it is \(value.phrase)", condition.range)
            }
            return try evaluate(flag ? then : otherwise)
        case .parenthesized(let inner):
            return try evaluate(inner)
        case .forExpression(let loop):
            return try evaluateFor(loop, range: range)
        }
    }

    static func unknownDeclared(root: String, name: String) -> String {
        switch root {
        case "var": "unknown variable var.\(name); declare it in a variable block"
        case "local": "unknown local value local.\(name); define it in a locals block"
        default: "unknown value \(root).\(name)"
        }
    }

    /// Evaluates each expression, reporting every failure rather than only the first.
    func evaluateAll(_ expressions: [Expression]) throws(EvalFailure) -> [Value] {
        var values: [Value] = []
        var errors: [Diagnostic] = []
        for expression in expressions {
            do {
                values.append(try evaluate(expression))
            } catch {
                guard case .diagnostics(let items) = error else { throw error }
                errors.append(contentsOf: items)
                values.append(.null)
            }
        }
        if !errors.isEmpty { throw .diagnostics(errors) }
        return values
    }

    // MARK: Templates

    func render(_ parts: [TemplatePart], into output: inout String) throws(EvalFailure) {
        for part in parts {
            switch part {
            case .literal(let text, _):
                output += text
            case .interpolation(let expression, let source, _):
                let value: Value
                do {
                    value = try evaluate(expression)
                } catch {
                    guard case .runtimeReference = error else { throw error }
                    output += source
                    continue
                }
                output += try templateText(value, range: expression.range)
            case .conditional(let condition, let then, let otherwise, _):
                let value = try evaluateKnown(condition, in: "%{ if }")
                guard let flag = value.asBool() else {
                    throw .error("the condition of %{ if } must be a bool, but it is \(value.phrase)", condition.range)
                }
                try render(flag ? then : otherwise, into: &output)
            case .loop(let key, let value, let collection, let body, _):
                let items = try iterationPairs(try evaluateKnown(collection, in: "%{ for }"), range: collection.range)
                for (itemKey, itemValue) in items {
                    var child = self
                    child.context.variables[value] = itemValue
                    if let key { child.context.variables[key] = itemKey }
                    try child.render(body, into: &output)
                }
            }
        }
    }

    /// Evaluates an expression where a runtime value cannot be kept verbatim.
    func evaluateKnown(_ expression: Expression, in place: String) throws(EvalFailure) -> Value {
        do {
            return try evaluate(expression)
        } catch {
            if case .runtimeReference(let name, let range) = error {
                throw .error(
                    "\(place) cannot use the runtime value \"\(name)\"; it is only known when the task runs", range)
            }
            throw error
        }
    }

    func templateText(_ value: Value, range: SourceRange) throws(EvalFailure) -> String {
        switch value {
        case .string(let text): return text
        case .number(let number): return number.canonicalText
        case .bool(let flag): return flag ? "true" : "false"
        case .null: throw .error("cannot insert null into a string; give the value a default", range)
        case .tuple, .object:
            throw .error(
                "cannot insert a \(value.typeName) into a string; convert it with jsonencode(...) or join(...)", range)
        }
    }

    // MARK: Traversal

    func attribute(_ name: String, of value: Value, range: SourceRange) throws(EvalFailure) -> Value {
        switch value {
        case .object(let object):
            guard let member = object[name] else {
                let known = object.keys.prefix(10).joined(separator: ", ")
                let hint = object.isEmpty ? "; the object is empty" : "; it has: \(known)"
                throw .error("object has no attribute \"\(name)\"\(hint)", range)
            }
            return member
        case .null:
            throw .error("cannot read attribute \"\(name)\" of null", range)
        case .tuple:
            throw .error(
                "cannot read attribute \"\(name)\" of a tuple; use an index such as [0] or a splat such as [*].\(name)",
                range)
        default:
            throw .error(
                "cannot read attribute \"\(name)\" of a \(value.typeName); only objects have attributes", range)
        }
    }

    func index(_ value: Value, _ key: Value, keyRange: SourceRange) throws(EvalFailure) -> Value {
        switch value {
        case .tuple(let elements):
            guard let position = key.asInt() else {
                throw .error("a list index must be a whole number, but it is \(key.phrase)", keyRange)
            }
            guard position >= 0 && position < elements.count else {
                throw .error(
                    "index \(position) is out of range for a list of \(elements.count) element"
                        + (elements.count == 1 ? "" : "s"), keyRange)
            }
            return elements[position]
        case .object(let object):
            guard let name = key.asString() else {
                throw .error("an object key must be a string, but it is \(key.phrase)", keyRange)
            }
            guard let member = object[name] else {
                throw .error("object has no key \(jsonQuoted(name))", keyRange)
            }
            return member
        case .null:
            throw .error("cannot index null", keyRange)
        default:
            throw .error("cannot index a \(value.typeName); only lists and objects can be indexed", keyRange)
        }
    }

    // MARK: Objects and for expressions

    func evaluateObject(_ items: [ObjectItem]) throws(EvalFailure) -> Value {
        var result = ObjectValue()
        var blockKeys: Set<String> = []
        var repeatedKeys: Set<String> = []
        var errors: [Diagnostic] = []
        for item in items {
            do throws(EvalFailure) {
                let key: String
                switch item.key {
                case .name(let name):
                    key = name
                case .expression(let expression):
                    let value = try evaluate(expression)
                    guard let name = value.asString() else {
                        throw EvalFailure.error(
                            "an object key must be a string, but it is \(value.phrase)", expression.range)
                    }
                    key = name
                }
                let value = try evaluate(item.value)
                switch item.form {
                case .attribute:
                    guard result[key] == nil else {
                        throw EvalFailure.error("duplicate key \(jsonQuoted(key)) in object", item.keyRange)
                    }
                    result[key] = value
                case .block(let labels):
                    var wrapped = value
                    for label in labels.reversed() { wrapped = .object([label.value: wrapped]) }
                    guard let existing = result[key] else {
                        result[key] = wrapped
                        blockKeys.insert(key)
                        continue
                    }
                    guard blockKeys.contains(key) else {
                        throw EvalFailure.error("duplicate key \(jsonQuoted(key)) in object", item.keyRange)
                    }
                    if !labels.isEmpty {
                        result[key] = try Self.mergeLabelled(
                            existing, wrapped, depth: labels.count, key: key, range: item.keyRange)
                    } else if repeatedKeys.contains(key), case .tuple(let previous) = existing {
                        result[key] = .tuple(previous + [wrapped])
                    } else {
                        result[key] = .tuple([existing, wrapped])
                        repeatedKeys.insert(key)
                    }
                }
            } catch {
                guard case .diagnostics(let items) = error else { throw error }
                errors.append(contentsOf: items)
            }
        }
        if !errors.isEmpty { throw .diagnostics(errors) }
        return .object(result)
    }

    /// Merges `key "a" { }` and `key "b" { }` into `{ a = {...}, b = {...} }`.
    static func mergeLabelled(
        _ existing: Value, _ added: Value, depth: Int, key: String, range: SourceRange
    ) throws(EvalFailure) -> Value {
        guard depth > 0, case .object(var merged) = existing, case .object(let addition) = added else {
            throw .error("duplicate block \(jsonQuoted(key)) with the same labels", range)
        }
        for (name, value) in addition {
            if let previous = merged[name] {
                merged[name] = try mergeLabelled(previous, value, depth: depth - 1, key: key, range: range)
            } else {
                merged[name] = value
            }
        }
        return .object(merged)
    }

    func iterationPairs(_ collection: Value, range: SourceRange) throws(EvalFailure) -> [(Value, Value)] {
        switch collection {
        case .tuple(let elements): return elements.enumerated().map { (Value.int($0.offset), $0.element) }
        case .object(let object): return object.map { (Value.string($0.key), $0.value) }
        default:
            throw .error("cannot iterate over \(collection.phrase); a list or an object is required", range)
        }
    }

    func evaluateFor(_ loop: ForExpression, range: SourceRange) throws(EvalFailure) -> Value {
        let pairs = try iterationPairs(try evaluate(loop.collection), range: loop.collection.range)
        var elements: [Value] = []
        var object = ObjectValue()
        var groups: [String: [Value]] = [:]
        var groupOrder: [String] = []
        for (key, value) in pairs {
            var child = self
            child.context.variables[loop.valueVariable] = value
            if let keyVariable = loop.keyVariable { child.context.variables[keyVariable] = key }
            if let condition = loop.condition {
                let keep = try child.evaluate(condition)
                guard let flag = keep.asBool() else {
                    throw .error("the \"if\" condition must be a bool, but it is \(keep.phrase)", condition.range)
                }
                if !flag { continue }
            }
            guard let keyExpression = loop.keyExpression else {
                elements.append(try child.evaluate(loop.valueExpression))
                continue
            }
            let keyValue = try child.evaluate(keyExpression)
            guard let name = keyValue.asString() else {
                throw .error("an object key must be a string, but it is \(keyValue.phrase)", keyExpression.range)
            }
            let element = try child.evaluate(loop.valueExpression)
            if loop.grouping {
                if groups[name] == nil { groupOrder.append(name) }
                groups[name, default: []].append(element)
            } else {
                guard object[name] == nil else {
                    throw .error(
                        "the for expression produces the key \(jsonQuoted(name)) twice; add \"...\" after the value "
                            + "to group values by key", keyExpression.range)
                }
                object[name] = element
            }
        }
        if loop.keyExpression == nil { return .tuple(elements) }
        if loop.grouping {
            for name in groupOrder { object[name] = .tuple(groups[name] ?? []) }
        }
        return .object(object)
    }

    // MARK: Functions

    func call(
        _ name: String, nameRange: SourceRange, arguments: [Expression], expandFinal: Bool, range: SourceRange
    ) throws(EvalFailure) -> Value {
        guard let function = context.functions[name] else {
            let suggestion = closestName(to: name, in: Array(context.functions.keys)).map {
                "; did you mean \"\($0)\"?"
            }
            throw .error("unknown function \"\(name)\"\(suggestion ?? "")", nameRange)
        }
        var values = try evaluateAll(arguments)
        var ranges = arguments.map(\.range)
        for value in values { try spend(value.expandedSize(limit: budget.remaining), range) }
        if expandFinal, let last = arguments.last, let lastValue = values.last {
            guard case .tuple(let expanded) = lastValue else {
                throw .error("the argument before \"...\" must be a list, but it is \(lastValue.phrase)", last.range)
            }
            values.removeLast()
            ranges.removeLast()
            values.append(contentsOf: expanded)
            ranges.append(contentsOf: Array(repeating: last.range, count: expanded.count))
        }
        let maximum = function.parameters.count + function.optionalParameters.count
        guard values.count >= function.parameters.count, function.variadic != nil || values.count <= maximum else {
            throw .error(
                "function \"\(name)\" expects \(function.arityPhrase), but got \(values.count)", range)
        }
        for position in values.indices {
            guard let parameter = function.parameter(at: position) else { continue }
            let value = values[position]
            if value.isNull {
                guard parameter.allowNull else {
                    throw .error(
                        "invalid argument \(position + 1) to function \"\(name)\": \(parameter.name) must not be null",
                        ranges[position])
                }
                continue
            }
            guard let converted = parameter.type.convert(value) else {
                throw .error(
                    "invalid argument \(position + 1) to function \"\(name)\": \(parameter.type.phrase) is "
                        + "required, but got \(value.phrase)", ranges[position])
            }
            values[position] = converted
        }
        do {
            return try function.implementation(values)
        } catch {
            if let argument = error.argument, argument < ranges.count {
                throw .error(
                    "invalid argument \(argument + 1) to function \"\(name)\": \(error.message)", ranges[argument])
            }
            throw .error("call to function \"\(name)\" failed: \(error.message)", range)
        }
    }

    // MARK: Operators

    func number(_ value: Value, for op: String, range: SourceRange) throws(EvalFailure) -> Number {
        guard let number = value.asNumber() else {
            throw .error("invalid operand for \"\(op)\": a number is required, but got \(value.phrase)", range)
        }
        return number
    }

    func bool(_ value: Value, for op: String, range: SourceRange) throws(EvalFailure) -> Bool {
        guard let flag = value.asBool() else {
            throw .error("invalid operand for \"\(op)\": a bool is required, but got \(value.phrase)", range)
        }
        return flag
    }

    /// Evaluates a binary expression; `&&` and `||` skip the right side when the left decides.
    func binary(_ op: BinaryOperator, _ lhs: Expression, _ rhs: Expression) throws(EvalFailure) -> Value {
        let left = try evaluate(lhs)
        switch op {
        case .and, .or:
            let flag = try bool(left, for: op.rawValue, range: lhs.range)
            if op == .and && !flag { return .bool(false) }
            if op == .or && flag { return .bool(true) }
            return .bool(try bool(try evaluate(rhs), for: op.rawValue, range: rhs.range))
        case .equal, .notEqual:
            let right = try evaluate(rhs)
            return .bool((left == right) == (op == .equal))
        default:
            break
        }
        let right = try evaluate(rhs)
        let a = try number(left, for: op.rawValue, range: lhs.range)
        let b = try number(right, for: op.rawValue, range: rhs.range)
        switch op {
        case .less: return .bool(a < b)
        case .greater: return .bool(b < a)
        case .lessEqual: return .bool(!(b < a))
        case .greaterEqual: return .bool(!(a < b))
        default: break
        }
        return .number(try Self.arithmetic(op, a, b, range: lhs.range.through(rhs.range), divisorRange: rhs.range))
    }

    static func arithmetic(
        _ op: BinaryOperator, _ a: Number, _ b: Number, range: SourceRange, divisorRange: SourceRange
    ) throws(EvalFailure) -> Number {
        if (op == .divide || op == .modulo) && b.double == 0 {
            throw .error("division by zero", divisorRange)
        }
        if let x = a.int, let y = b.int {
            var exact: (partialValue: Int, overflow: Bool)?
            switch op {
            case .add: exact = x.addingReportingOverflow(y)
            case .subtract: exact = x.subtractingReportingOverflow(y)
            case .multiply: exact = x.multipliedReportingOverflow(by: y)
            case .divide:
                let remainder = x.remainderReportingOverflow(dividingBy: y)
                if !remainder.overflow && remainder.partialValue == 0 { exact = x.dividedReportingOverflow(by: y) }
            case .modulo: exact = x.remainderReportingOverflow(dividingBy: y)
            default: break
            }
            if let exact, !exact.overflow { return Number(exact.partialValue) }
        }
        let result: Double =
            switch op {
            case .add: a.double + b.double
            case .subtract: a.double - b.double
            case .multiply: a.double * b.double
            case .divide: a.double / b.double
            default: a.double.truncatingRemainder(dividingBy: b.double)
            }
        guard result.isFinite else { throw .error("the result of \"\(op.rawValue)\" is out of range", range) }
        return Number(result)
    }
}

/// The candidate nearest to `name` by edit distance, if it is close enough to be a likely typo.
func closestName(to name: String, in candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, left) in a.enumerated() {
            var current = [i + 1]
            for (j, right) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (left == right ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
    let target = Array(name.lowercased())
    guard target.count < 64 else { return nil }
    let scored = candidates.sorted().map { ($0, distance(target, Array($0.lowercased()))) }
    guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(1, min(2, target.count / 3)) else { return nil }
    return best.0
}
