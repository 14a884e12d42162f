/// The contents of a file or of a block: attributes and blocks in source order.
public struct Body: Sendable {
    public var items: [BodyItem]
    public var range: SourceRange

    public init(items: [BodyItem], range: SourceRange) {
        self.items = items
        self.range = range
    }

    public var attributes: [Attribute] {
        items.compactMap { if case .attribute(let attribute) = $0 { attribute } else { nil } }
    }

    public var blocks: [Block] {
        items.compactMap { if case .block(let block) = $0 { block } else { nil } }
    }

    public func attribute(named name: String) -> Attribute? {
        attributes.first { $0.name == name }
    }

    public func blocks(ofType type: String) -> [Block] {
        blocks.filter { $0.type == type }
    }
}

/// One item of a body.
public enum BodyItem: Sendable {
    case attribute(Attribute)
    case block(Block)

    public var range: SourceRange {
        switch self {
        case .attribute(let attribute): attribute.range
        case .block(let block): block.range
        }
    }
}

/// `name = expression`.
public struct Attribute: Sendable {
    public var name: String
    public var nameRange: SourceRange
    public var expression: Expression
    public var range: SourceRange

    public init(name: String, nameRange: SourceRange, expression: Expression, range: SourceRange) {
        self.name = name
        self.nameRange = nameRange
        self.expression = expression
        self.range = range
    }
}

/// `type "label" label { body }`.
public struct Block: Sendable {
    public var type: String
    public var typeRange: SourceRange
    public var labels: [Label]
    public var body: Body
    public var range: SourceRange

    public init(type: String, typeRange: SourceRange, labels: [Label], body: Body, range: SourceRange) {
        self.type = type
        self.typeRange = typeRange
        self.labels = labels
        self.body = body
        self.range = range
    }
}

/// A block label, written quoted or as a bare identifier.
public struct Label: Sendable, Hashable {
    public var value: String
    public var range: SourceRange

    public init(value: String, range: SourceRange) {
        self.value = value
        self.range = range
    }
}

/// An expression with its source range.
public struct Expression: Sendable {
    public var kind: Kind
    public var range: SourceRange
    /// Height of the tree below this node, used to bound recursion.
    let depth: Int

    public init(_ kind: Kind, range: SourceRange) {
        self.kind = kind
        self.range = range
        self.depth = (kind.children.map(\.depth).max() ?? 0) + 1
    }

    public indirect enum Kind: Sendable {
        case literal(Value)
        /// A quoted string or heredoc; a quoted string that is one `${...}` yields that value unconverted.
        case template([TemplatePart])
        /// A bare name at the root of a traversal, such as `var` in `var.x`.
        case variable(String)
        case getAttribute(Expression, name: String, nameRange: SourceRange)
        case index(Expression, key: Expression)
        /// `list[*].a.b` or `list.*.a`: applies `steps` to each element of the source.
        case splat(Expression, steps: [SplatStep])
        case tuple([Expression])
        case object([ObjectItem])
        case functionCall(name: String, nameRange: SourceRange, arguments: [Expression], expandFinal: Bool)
        case unary(UnaryOperator, Expression)
        case binary(BinaryOperator, Expression, Expression)
        case conditional(condition: Expression, then: Expression, else: Expression)
        case parenthesized(Expression)
        case forExpression(ForExpression)
    }
}

/// One step applied to each element by a splat expression.
public enum SplatStep: Sendable {
    case attribute(String, SourceRange)
    case index(Expression)
}

/// A prefix operator: `-` or `!`.
public enum UnaryOperator: String, Sendable {
    case negate = "-"
    case not = "!"
}

/// An infix operator, with HCL's precedence.
public enum BinaryOperator: String, Sendable, CaseIterable {
    case multiply = "*"
    case divide = "/"
    case modulo = "%"
    case add = "+"
    case subtract = "-"
    case less = "<"
    case greater = ">"
    case lessEqual = "<="
    case greaterEqual = ">="
    case equal = "=="
    case notEqual = "!="
    case and = "&&"
    case or = "||"

    /// Binding strength; higher binds tighter.
    public var precedence: Int {
        switch self {
        case .multiply, .divide, .modulo: 6
        case .add, .subtract: 5
        case .less, .greater, .lessEqual, .greaterEqual: 4
        case .equal, .notEqual: 3
        case .and: 2
        case .or: 1
        }
    }
}

/// One piece of a template.
public indirect enum TemplatePart: Sendable {
    case literal(String, SourceRange)
    /// `${ expression }`; `source` is the original text, kept for runtime references left for the client.
    case interpolation(Expression, source: String, SourceRange)
    case conditional(condition: Expression, then: [TemplatePart], else: [TemplatePart], SourceRange)
    case loop(key: String?, value: String, collection: Expression, body: [TemplatePart], SourceRange)
}

/// `[for k, v in collection : value if condition]` or `{for k, v in collection : key => value... if condition}`.
public struct ForExpression: Sendable {
    public var keyVariable: String?
    public var valueVariable: String
    public var collection: Expression
    /// Present for the object form.
    public var keyExpression: Expression?
    public var valueExpression: Expression
    public var condition: Expression?
    /// `...` after the value in the object form: values with the same key are grouped into a tuple.
    public var grouping: Bool
}

/// An item of an object constructor: `key = value`, `key: value`, or an HCL1-style nested block `key { ... }`.
public struct ObjectItem: Sendable {
    public enum Key: Sendable {
        /// A bare identifier or a quoted string without interpolation.
        case name(String)
        /// Any other expression, evaluated to a string.
        case expression(Expression)
    }

    public enum Form: Sendable {
        case attribute
        /// HCL1 block syntax inside an object value; `value` is then an object constructor.
        case block(labels: [Label])
    }

    public var key: Key
    public var keyRange: SourceRange
    public var value: Expression
    public var form: Form
    public var range: SourceRange

    public var isBlock: Bool {
        if case .block = form { true } else { false }
    }

    public var labels: [Label] {
        if case .block(let labels) = form { labels } else { [] }
    }

    /// The key when it is a plain name.
    public var name: String? {
        if case .name(let name) = key { name } else { nil }
    }
}

extension Expression.Kind {
    /// Direct sub-expressions (templates count their interpolated and directive expressions).
    var children: [Expression] {
        switch self {
        case .literal, .variable: []
        case .template(let parts): parts.flatMap(\.expressions)
        case .getAttribute(let base, _, _): [base]
        case .index(let base, let key): [base, key]
        case .splat(let base, let steps):
            [base] + steps.compactMap { if case .index(let key) = $0 { key } else { nil } }
        case .tuple(let elements): elements
        case .object(let items):
            items.flatMap { item -> [Expression] in
                if case .expression(let key) = item.key { [key, item.value] } else { [item.value] }
            }
        case .functionCall(_, _, let arguments, _): arguments
        case .unary(_, let operand): [operand]
        case .binary(_, let lhs, let rhs): [lhs, rhs]
        case .conditional(let condition, let then, let otherwise): [condition, then, otherwise]
        case .parenthesized(let inner): [inner]
        case .forExpression(let loop):
            [loop.collection, loop.valueExpression] + [loop.keyExpression, loop.condition].compactMap { $0 }
        }
    }
}

extension TemplatePart {
    var expressions: [Expression] {
        switch self {
        case .literal: []
        case .interpolation(let expression, _, _): [expression]
        case .conditional(let condition, let then, let otherwise, _):
            [condition] + then.flatMap(\.expressions) + otherwise.flatMap(\.expressions)
        case .loop(_, _, let collection, let body, _): [collection] + body.flatMap(\.expressions)
        }
    }
}

extension Expression {
    /// Every `root.name` reference in this expression, e.g. `local.a` for root `local`.
    public func references(root: String) -> [(name: String, range: SourceRange)] {
        var found: [(name: String, range: SourceRange)] = []
        var pending: [Expression] = [self]
        while let next = pending.popLast() {
            switch next.kind {
            case .getAttribute(let base, let name, _):
                if case .variable(root) = base.kind {
                    found.append((name, next.range))
                    continue
                }
            case .index(let base, let key):
                if case .variable(root) = base.kind, case .literal(.string(let name)) = key.kind {
                    found.append((name, next.range))
                    continue
                }
            default:
                break
            }
            pending.append(contentsOf: next.kind.children.reversed())
        }
        return found
    }
}
