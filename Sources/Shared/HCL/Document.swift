/// A source file given by name and contents, such as a `-var-file`.
public struct SourceFile: Sendable {
    public var filename: String
    public var bytes: [UInt8]

    public init(filename: String, bytes: [UInt8]) {
        self.filename = filename
        self.bytes = bytes
    }

    public init(filename: String, text: String) {
        self.init(filename: filename, bytes: Array(text.utf8))
    }
}

/// Where variable values come from besides defaults, in increasing priority: environment, files, flags.
public struct VariableInputs: Sendable {
    /// Entries named `CARAVAN_VAR_<name>` set variables; other entries are ignored.
    public var environment: [String: String]
    /// `-var-file` files holding `name = value` lines; later files win.
    public var files: [SourceFile]
    /// `-var name=value` flags; later flags win.
    public var assignments: [String]
    /// Functions every expression may call.
    public var functions: [String: HCLFunction]

    public static let environmentPrefix = "CARAVAN_VAR_"

    public init(
        environment: [String: String] = [:], files: [SourceFile] = [], assignments: [String] = [],
        functions: [String: HCLFunction] = StandardLibrary.functions
    ) {
        self.environment = environment
        self.files = files
        self.assignments = assignments
        self.functions = functions
    }
}

/// A `variable "name" { ... }` block.
public struct VariableDeclaration: Sendable {
    public var name: String
    public var type: TypeConstraint?
    public var defaultValue: Value?
    public var description: String?
    public var sensitive: Bool
    /// The range of the name label.
    public var range: SourceRange
    var validations: [(condition: Expression, message: Expression)]
}

/// A parsed file with its `variable` and `locals` blocks resolved into an evaluation context.
public struct HCLDocument: Sendable {
    /// The file's body without its `variable` and `locals` blocks.
    public var body: Body
    /// `var` and `local` values plus the functions, for evaluating the body's attributes.
    public var context: EvaluationContext
    public var variables: [VariableDeclaration]
    /// Problems that did not stop loading, such as a var-file setting an undeclared variable.
    public var warnings: [Diagnostic]

    public static func load(
        source: String, filename: String, options: VariableInputs = VariableInputs()
    ) throws(Diagnostics) -> HCLDocument {
        try load(bytes: Array(source.utf8), filename: filename, options: options)
    }

    /// Parses the file, resolves variables (defaults < environment < files < flags) and locals.
    public static func load(
        bytes: [UInt8], filename: String, options: VariableInputs = VariableInputs()
    ) throws(Diagnostics) -> HCLDocument {
        let parsed = try HCLParser.parse(bytes: bytes, filename: filename)
        var loader = DocumentLoader(options: options)
        return try loader.load(parsed)
    }

    /// A reader over the remaining body.
    public func reader(keyMatching: KeyMatching = .exact) -> BodyReader {
        BodyReader(body: body, context: context, keyMatching: keyMatching)
    }
}

struct DocumentLoader {
    let options: VariableInputs
    var errors: [Diagnostic] = []
    var warnings: [Diagnostic] = []

    init(options: VariableInputs) {
        self.options = options
    }

    /// Context for defaults and var files: functions only.
    var constantContext: EvaluationContext {
        EvaluationContext(variables: [:], functions: options.functions)
    }

    mutating func load(_ parsed: Body) throws(Diagnostics) -> HCLDocument {
        var remaining: [BodyItem] = []
        var declarations: [VariableDeclaration] = []
        var localAttributes: [Attribute] = []
        for item in parsed.items {
            guard case .block(let block) = item, block.type == "variable" || block.type == "locals" else {
                remaining.append(item)
                continue
            }
            if block.type == "variable" {
                if let declaration = readVariable(block) {
                    if let previous = declarations.first(where: { $0.name == declaration.name }) {
                        errors.append(
                            .error(
                                "duplicate variable \"\(declaration.name)\"; it was already declared at line "
                                    + "\(previous.range.start.line), column \(previous.range.start.column)",
                                at: declaration.range))
                    } else {
                        declarations.append(declaration)
                    }
                }
            } else {
                localAttributes.append(contentsOf: readLocals(block))
            }
        }
        let values = resolveValues(declarations)
        let variableObject = Value.object(
            ObjectValue(
                declarations.compactMap { declaration in
                    values[declaration.name].map { (declaration.name, $0) }
                }))
        if errors.isEmpty { validate(declarations, variables: variableObject) }
        var locals = ObjectValue()
        if errors.isEmpty { locals = resolveLocals(localAttributes, variables: variableObject) }
        if !errors.isEmpty { throw Diagnostics(errors).sorted() }
        let context = EvaluationContext(
            variables: ["var": variableObject, "local": .object(locals)], functions: options.functions)
        return HCLDocument(
            body: Body(items: remaining, range: parsed.range), context: context, variables: declarations,
            warnings: warnings)
    }

    // MARK: Declarations

    mutating func readVariable(_ block: Block) -> VariableDeclaration? {
        guard block.labels.count == 1 else {
            errors.append(
                .error(
                    "a variable block needs exactly one label, its name, as in variable \"port\" { ... }; "
                        + "found \(block.labels.count)", at: block.typeRange))
            return nil
        }
        let name = block.labels[0].value
        var declaration = VariableDeclaration(
            name: name, type: nil, defaultValue: nil, description: nil, sensitive: false,
            range: block.labels[0].range, validations: [])
        let allowed = ["type", "default", "description", "sensitive", "nullable"]
        for attribute in block.body.attributes {
            do throws(Diagnostics) {
                switch attribute.name {
                case "type":
                    declaration.type = try TypeConstraint.parse(attribute.expression)
                case "default":
                    declaration.defaultValue = try constantContext.evaluate(attribute.expression)
                case "description":
                    declaration.description = try constantContext.evaluate(attribute.expression).asString()
                case "sensitive":
                    declaration.sensitive = try constantContext.evaluate(attribute.expression).asBool() ?? false
                case "nullable":
                    break
                default:
                    errors.append(
                        .error(
                            "unknown attribute \"\(attribute.name)\" in variable \"\(name)\"; expected one of: "
                                + allowed.joined(separator: ", "), at: attribute.nameRange))
                }
            } catch {
                errors.append(contentsOf: error.items)
            }
        }
        for nested in block.body.blocks {
            guard nested.type == "validation" else {
                errors.append(
                    .error(
                        "unknown block \"\(nested.type)\" in variable \"\(name)\"; expected: validation",
                        at: nested.typeRange))
                continue
            }
            guard let condition = nested.body.attribute(named: "condition"),
                let message = nested.body.attribute(named: "error_message")
            else {
                errors.append(
                    .error("a validation block needs both \"condition\" and \"error_message\"", at: nested.typeRange))
                continue
            }
            declaration.validations.append((condition.expression, message.expression))
        }
        if let type = declaration.type, let value = declaration.defaultValue {
            do {
                declaration.defaultValue = try type.convert(value)
            } catch {
                let range = block.body.attribute(named: "default")?.expression.range ?? declaration.range
                errors.append(.error("invalid default for variable \"\(name)\": \(error.message)", at: range))
            }
        }
        return declaration
    }

    mutating func readLocals(_ block: Block) -> [Attribute] {
        if !block.labels.isEmpty {
            errors.append(.error("a locals block takes no labels", at: block.labels[0].range))
        }
        for nested in block.body.blocks {
            errors.append(
                .error(
                    "a locals block holds only name = value attributes; \"\(nested.type)\" is a block",
                    at: nested.typeRange))
        }
        return block.body.attributes
    }

    // MARK: Values

    mutating func resolveValues(_ declarations: [VariableDeclaration]) -> [String: Value] {
        var values: [String: Value] = [:]
        let byName = Dictionary(declarations.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for declaration in declarations {
            if let value = declaration.defaultValue { values[declaration.name] = value }
        }
        for (key, text) in options.environment.sorted(by: { $0.key < $1.key }) {
            guard key.hasPrefix(VariableInputs.environmentPrefix) else { continue }
            let name = String(key.dropFirst(VariableInputs.environmentPrefix.count))
            guard let declaration = byName[name] else { continue }
            let range = SourceRange(filename: key)
            if let value = convertText(text, declaration: declaration, range: range) { values[name] = value }
        }
        for file in options.files {
            readVariableFile(file, declarations: byName, into: &values)
        }
        for assignment in options.assignments {
            let filename = "-var"
            guard let equals = assignment.firstIndex(of: "=") else {
                errors.append(
                    .error(
                        "invalid -var \(jsonQuoted(assignment)); expected name=value",
                        at: SourceRange(filename: filename)))
                continue
            }
            let name = String(assignment[..<equals])
            let text = String(assignment[assignment.index(after: equals)...])
            guard let declaration = byName[name] else {
                errors.append(
                    .error(
                        "-var sets \"\(name)\", which is not declared; declare it with a variable block",
                        at: SourceRange(filename: filename)))
                continue
            }
            let column = name.unicodeScalars.count + 2
            let start = SourcePosition(line: 1, column: column, offset: name.utf8.count + 1)
            let range = SourceRange(filename: filename, start: start, end: start)
            if let value = convertText(text, declaration: declaration, range: range) { values[name] = value }
        }
        for declaration in declarations where values[declaration.name] == nil {
            let name = declaration.name
            errors.append(
                .error(
                    "variable \"\(name)\" has no value; give it a default, or set it with -var \(name)=..., "
                        + "a -var-file, or \(VariableInputs.environmentPrefix)\(name)", at: declaration.range))
        }
        return values
    }

    /// Converts a value given as text (flag or environment) to the declared type.
    mutating func convertText(_ text: String, declaration: VariableDeclaration, range: SourceRange) -> Value? {
        let type = declaration.type ?? .string
        let value: Value
        if type.isPrimitive {
            value = .string(text)
        } else {
            do throws(Diagnostics) {
                let expression = try HCLParser.parseExpression(text, filename: range.filename)
                value = try constantContext.evaluate(expression)
            } catch {
                errors.append(
                    .error(
                        "invalid value for variable \"\(declaration.name)\": expected \(type) written in HCL syntax, "
                            + "as in [\"a\", \"b\"] or { key = \"value\" }", at: range))
                return nil
            }
        }
        do {
            return try type.convert(value)
        } catch {
            errors.append(.error("invalid value for variable \"\(declaration.name)\": \(error.message)", at: range))
            return nil
        }
    }

    mutating func readVariableFile(
        _ file: SourceFile, declarations: [String: VariableDeclaration], into values: inout [String: Value]
    ) {
        let body: Body
        do {
            body = try HCLParser.parse(bytes: file.bytes, filename: file.filename)
        } catch {
            errors.append(contentsOf: error.items)
            return
        }
        for block in body.blocks {
            errors.append(
                .error(
                    "a variable file may only hold name = value lines, but \"\(block.type)\" is a block",
                    at: block.typeRange))
        }
        for attribute in body.attributes {
            guard let declaration = declarations[attribute.name] else {
                warnings.append(
                    .warning(
                        "\"\(attribute.name)\" is set here but no variable block declares it; the value is ignored",
                        at: attribute.nameRange))
                continue
            }
            do throws(Diagnostics) {
                let value = try constantContext.evaluate(attribute.expression)
                do {
                    values[attribute.name] = try (declaration.type ?? .any).convert(value)
                } catch {
                    errors.append(
                        .error(
                            "invalid value for variable \"\(attribute.name)\": \(error.message)",
                            at: attribute.expression.range))
                }
            } catch {
                errors.append(contentsOf: error.items)
            }
        }
    }

    mutating func validate(_ declarations: [VariableDeclaration], variables: Value) {
        let context = EvaluationContext(variables: ["var": variables], functions: options.functions)
        for declaration in declarations {
            for (condition, message) in declaration.validations {
                do throws(Diagnostics) {
                    let result = try context.evaluate(condition)
                    guard let passed = result.asBool() else {
                        errors.append(
                            .error(
                                "a validation condition must be a bool, but it is \(result.phrase)", at: condition.range
                            ))
                        continue
                    }
                    if !passed {
                        let text = try context.evaluate(message).asString() ?? "the value is not valid"
                        errors.append(
                            .error("invalid value for variable \"\(declaration.name)\": \(text)", at: condition.range))
                    }
                } catch {
                    errors.append(contentsOf: error.items)
                }
            }
        }
    }

    // MARK: Locals

    /// Evaluates locals in dependency order (iteratively, so long chains cannot exhaust the stack).
    mutating func resolveLocals(_ attributes: [Attribute], variables: Value) -> ObjectValue {
        var definitions: [String: Attribute] = [:]
        var order: [String] = []
        for attribute in attributes {
            if let previous = definitions[attribute.name] {
                errors.append(
                    .error(
                        "duplicate local value \"\(attribute.name)\"; it was already defined at line "
                            + "\(previous.nameRange.start.line), column \(previous.nameRange.start.column)",
                        at: attribute.nameRange))
                continue
            }
            definitions[attribute.name] = attribute
            order.append(attribute.name)
        }
        var dependencies: [String: [String]] = [:]
        for (name, attribute) in definitions {
            var seen: Set<String> = []
            dependencies[name] = attribute.expression.references(root: "local").map(\.name).filter {
                definitions[$0] != nil && seen.insert($0).inserted
            }
        }
        enum State { case visiting, done, failed }
        var state: [String: State] = [:]
        var values: [String: Value] = [:]
        var known = ObjectValue()
        for root in order where state[root] == nil {
            var stack: [String] = [root]
            state[root] = .visiting
            while let current = stack.last {
                let pending = dependencies[current, default: []].first { state[$0] == nil || state[$0] == .visiting }
                if let dependency = pending {
                    if state[dependency] == .visiting {
                        let cycleStart = stack.lastIndex(of: dependency) ?? 0
                        let cycle = (stack[cycleStart...] + [dependency]).map { "local.\($0)" }
                        errors.append(
                            .error(
                                "local value \"\(current)\" depends on itself: \(cycle.joined(separator: " -> "))",
                                at: definitions[current]?.nameRange ?? SourceRange(filename: "")))
                        state[current] = .failed
                        stack.removeLast()
                    } else {
                        state[dependency] = .visiting
                        stack.append(dependency)
                    }
                    continue
                }
                stack.removeLast()
                if dependencies[current, default: []].contains(where: { state[$0] == .failed }) {
                    state[current] = .failed
                    continue
                }
                guard let attribute = definitions[current] else { continue }
                do throws(Diagnostics) {
                    let value = try evaluateLocal(current, attribute, variables: variables, locals: known)
                    values[current] = value
                    known[current] = value
                    state[current] = .done
                } catch {
                    errors.append(contentsOf: error.items)
                    state[current] = .failed
                }
            }
        }
        return ObjectValue(order.compactMap { name in values[name].map { (name, $0) } })
    }

    /// Evaluates one local; `locals` holds those already known (passed by value so the caller's copy stays unique).
    func evaluateLocal(
        _ name: String, _ attribute: Attribute, variables: Value, locals: ObjectValue
    ) throws(Diagnostics) -> Value {
        let context = EvaluationContext(
            variables: ["var": variables, "local": .object(locals)], functions: options.functions)
        let value = try context.evaluate(attribute.expression)
        guard value.nestingDepth <= HCLParser.maximumExpressionDepth else {
            throw Diagnostics(
                .error(
                    "local value \"\(name)\" is nested too deeply (more than "
                        + "\(HCLParser.maximumExpressionDepth) levels of lists and objects)",
                    at: attribute.nameRange))
        }
        return value
    }
}
