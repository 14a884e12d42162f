/// How attribute and block names are compared when reading a body.
public enum KeyMatching: Sendable, Hashable {
    /// Names must match exactly.
    case exact
    /// Case and underscores are ignored, so `PathPrefix`, `path_prefix` and `pathprefix` are the same key.
    case normalized

    /// Lowercases `key` and removes underscores.
    public static func normalize(_ key: String) -> String {
        key.lowercased().replacingOccurrences(of: "_", with: "")
    }

    public func matches(_ written: String, _ wanted: String) -> Bool {
        switch self {
        case .exact: written == wanted
        case .normalized: written == wanted || Self.normalize(written) == Self.normalize(wanted)
        }
    }
}

/// Reads a block body, an object constructor or an object value by key, for decoders built on HCL.
///
/// `key { ... }` blocks, `key = { ... }` objects, HCL1 blocks inside list elements and evaluated object values
/// all read the same way, with positioned errors.
public struct BodyReader: Sendable {
    enum Source: Sendable {
        case body(Body)
        case object([ObjectItem], SourceRange)
        case value(ObjectValue, SourceRange)
    }

    enum Entry: Sendable {
        case expression(name: String, nameRange: SourceRange, Expression)
        case block(name: String, nameRange: SourceRange, labels: [Label], Source, range: SourceRange)
        case value(name: String, nameRange: SourceRange, Value)

        var name: String {
            switch self {
            case .expression(let name, _, _), .block(let name, _, _, _, _), .value(let name, _, _): name
            }
        }

        var nameRange: SourceRange {
            switch self {
            case .expression(_, let range, _), .block(_, let range, _, _, _), .value(_, let range, _): range
            }
        }

        /// The range a value error points at.
        var valueRange: SourceRange {
            switch self {
            case .expression(_, _, let expression): expression.range
            case .block(_, _, _, _, let range): range
            case .value(_, let range, _): range
            }
        }

        var isBlock: Bool {
            if case .block = self { true } else { false }
        }
    }

    public let context: EvaluationContext
    public let keyMatching: KeyMatching
    /// How this body is named in messages, e.g. `group "api"`.
    public let displayName: String
    public let range: SourceRange
    let source: Source
    let entries: [Entry]

    public init(
        body: Body, context: EvaluationContext, keyMatching: KeyMatching = .exact,
        displayName: String = "the top level"
    ) {
        self.init(
            source: .body(body), entries: Self.entries(of: body), context: context, keyMatching: keyMatching,
            displayName: displayName, range: body.range)
    }

    /// A reader over an evaluated object, e.g. one that came from a variable.
    public init(
        object: ObjectValue, range: SourceRange, context: EvaluationContext, keyMatching: KeyMatching = .exact,
        displayName: String
    ) {
        let entries = object.map { Entry.value(name: $0.key, nameRange: range, $0.value) }
        self.init(
            source: .value(object, range), entries: entries, context: context, keyMatching: keyMatching,
            displayName: displayName, range: range)
    }

    init(
        source: Source, entries: [Entry], context: EvaluationContext, keyMatching: KeyMatching,
        displayName: String, range: SourceRange
    ) {
        self.source = source
        self.entries = entries
        self.context = context
        self.keyMatching = keyMatching
        self.displayName = displayName
        self.range = range
    }

    static func entries(of body: Body) -> [Entry] {
        body.items.map { item in
            switch item {
            case .attribute(let attribute):
                .expression(name: attribute.name, nameRange: attribute.nameRange, attribute.expression)
            case .block(let block):
                .block(
                    name: block.type, nameRange: block.typeRange, labels: block.labels, .body(block.body),
                    range: block.range)
            }
        }
    }

    /// A reader over an object constructor; computed keys are evaluated here.
    func child(objectItems items: [ObjectItem], range: SourceRange, displayName: String) throws(Diagnostics)
        -> BodyReader
    {
        var entries: [Entry] = []
        var errors = Diagnostics()
        for item in items {
            var name: String
            switch item.key {
            case .name(let key):
                name = key
            case .expression(let expression):
                do {
                    let value = try context.evaluate(expression)
                    guard let key = value.asString() else {
                        errors.append(
                            .error("an object key must be a string, but it is \(value.phrase)", at: item.keyRange))
                        continue
                    }
                    name = key
                } catch {
                    errors.append(contentsOf: error)
                    continue
                }
            }
            switch item.form {
            case .attribute:
                entries.append(.expression(name: name, nameRange: item.keyRange, item.value))
            case .block(let labels):
                var inner: [ObjectItem] = []
                if case .object(let nested) = item.value.kind { inner = nested }
                entries.append(
                    .block(
                        name: name, nameRange: item.keyRange, labels: labels, .object(inner, item.value.range),
                        range: item.range))
            }
        }
        if !errors.isEmpty { throw errors }
        return BodyReader(
            source: .object(items, range), entries: entries, context: context, keyMatching: keyMatching,
            displayName: displayName, range: range)
    }

    func child(source: Source, displayName: String) throws(Diagnostics) -> BodyReader {
        switch source {
        case .body(let body):
            BodyReader(body: body, context: context, keyMatching: keyMatching, displayName: displayName)
        case .object(let items, let range):
            try child(objectItems: items, range: range, displayName: displayName)
        case .value(let object, let range):
            BodyReader(
                object: object, range: range, context: context, keyMatching: keyMatching, displayName: displayName)
        }
    }

    // MARK: Lookup

    /// Every key written in this body, in order.
    public var keys: [String] { entries.map(\.name) }

    func matching(_ name: String) -> [Entry] {
        entries.filter { keyMatching.matches($0.name, name) }
    }

    public func has(_ name: String) -> Bool {
        !matching(name).isEmpty
    }

    /// The range of the key `name` as written.
    public func range(of name: String) -> SourceRange? {
        matching(name).first?.nameRange
    }

    /// The unevaluated expression of attribute `name`, when it is written as `name = expression`.
    public func expression(_ name: String) -> Expression? {
        for entry in matching(name) {
            if case .expression(_, _, let expression) = entry { return expression }
        }
        return nil
    }

    /// The value of `name`, or nil when absent; a block written as `name { ... }` reads as an object.
    public func attribute(_ name: String) throws(Diagnostics) -> Value? {
        let found = matching(name)
        guard let entry = found.first else { return nil }
        if found.count > 1 && !found.allSatisfy(\.isBlock) {
            let second = found[1]
            throw Diagnostics(
                .error(
                    "\"\(second.name)\" is set more than once in \(displayName); it was first set at line "
                        + "\(entry.nameRange.start.line), column \(entry.nameRange.start.column)",
                    at: second.nameRange))
        }
        if found.count > 1 {
            var values: [Value] = []
            for block in found { values.append(try value(of: block)) }
            return .tuple(values)
        }
        return try value(of: entry)
    }

    func value(of entry: Entry) throws(Diagnostics) -> Value {
        switch entry {
        case .expression(_, _, let expression):
            return try context.evaluate(expression)
        case .value(_, _, let value):
            return value
        case .block(_, _, let labels, let source, _):
            var value = try Self.value(of: source, context: context)
            for label in labels.reversed() { value = .object([label.value: value]) }
            return value
        }
    }

    static func value(of source: Source, context: EvaluationContext) throws(Diagnostics) -> Value {
        switch source {
        case .body(let body):
            return try context.evaluate(Expression(.object(objectItems(of: body)), range: body.range))
        case .object(let items, let range):
            return try context.evaluate(Expression(.object(items), range: range))
        case .value(let object, _):
            return .object(object)
        }
    }

    /// A body as object-constructor items, so blocks group the way HCL1 blocks inside objects do.
    static func objectItems(of body: Body) -> [ObjectItem] {
        body.items.map { item in
            switch item {
            case .attribute(let attribute):
                return ObjectItem(
                    key: .name(attribute.name), keyRange: attribute.nameRange, value: attribute.expression,
                    form: .attribute, range: attribute.range)
            case .block(let block):
                let inner = Expression(.object(objectItems(of: block.body)), range: block.body.range)
                return ObjectItem(
                    key: .name(block.type), keyRange: block.typeRange, value: inner, form: .block(labels: block.labels),
                    range: block.range)
            }
        }
    }

    /// The whole body as an object value.
    public func asValue() throws(Diagnostics) -> Value {
        try Self.value(of: source, context: context)
    }

    // MARK: Typed attributes

    func converted<T>(
        _ name: String, _ what: String, _ convert: (Value) -> T?
    ) throws(Diagnostics) -> T? {
        guard let value = try attribute(name) else { return nil }
        if value.isNull { return nil }
        guard let result = convert(value) else {
            let at = matching(name).first?.valueRange ?? range
            throw Diagnostics(
                .error("invalid value for \"\(name)\": \(what) is required, but got \(value.phrase)", at: at))
        }
        return result
    }

    /// A string; numbers and bools convert.
    public func string(_ name: String) throws(Diagnostics) -> String? {
        try converted(name, "a string") { $0.asString() }
    }

    /// A whole number; a string holding one (`"9090"`) is accepted, as HCL1-era files write numbers.
    public func int(_ name: String) throws(Diagnostics) -> Int? {
        try converted(name, "a whole number") { $0.asInt() }
    }

    public func double(_ name: String) throws(Diagnostics) -> Double? {
        try converted(name, "a number") { $0.asDouble() }
    }

    /// A bool; the strings `"true"` and `"false"` are accepted.
    public func bool(_ name: String) throws(Diagnostics) -> Bool? {
        try converted(name, "a bool") { $0.asBool() }
    }

    /// A list of strings; a single string reads as a one-element list.
    public func strings(_ name: String) throws(Diagnostics) -> [String]? {
        try converted(name, "a list of strings") { value in
            if let single = value.asString() { return [single] }
            guard let elements = value.asArray() else { return nil }
            let strings = elements.compactMap { $0.asString() }
            return strings.count == elements.count ? strings : nil
        }
    }

    /// A map of strings, in the order written.
    public func stringMap(_ name: String) throws(Diagnostics) -> [(key: String, value: String)]? {
        try converted(name, "a map of strings") { value -> [(key: String, value: String)]? in
            let objects: [ObjectValue]
            if let object = value.asObject() {
                objects = [object]
            } else if let list = value.asArray() {
                objects = list.compactMap { $0.asObject() }
                guard objects.count == list.count else { return nil }
            } else {
                return nil
            }
            var pairs: [(key: String, value: String)] = []
            for object in objects {
                for (key, member) in object {
                    guard let text = member.asString() else { return nil }
                    pairs.append((key, text))
                }
            }
            return pairs
        }
    }

    // MARK: Blocks

    /// Every block named `type`: `type { }` blocks, `type = { }` objects and `type = [{ }, { }]` lists of objects.
    public func blocks(_ type: String) throws(Diagnostics) -> [BlockReader] {
        var readers: [BlockReader] = []
        var errors = Diagnostics()
        for entry in matching(type) {
            do {
                readers.append(contentsOf: try blockReaders(entry))
            } catch {
                errors.append(contentsOf: error)
            }
        }
        if !errors.isEmpty { throw errors }
        return readers
    }

    /// The single block named `type`, or nil; more than one is an error.
    public func block(_ type: String) throws(Diagnostics) -> BlockReader? {
        let found = try blocks(type)
        if found.count > 1 {
            throw Diagnostics(
                .error(
                    "only one \"\(type)\" block is allowed in \(displayName), but there are \(found.count)",
                    at: found[1].typeRange))
        }
        return found.first
    }

    func blockReaders(_ entry: Entry) throws(Diagnostics) -> [BlockReader] {
        switch entry {
        case .block(let name, let nameRange, let labels, let source, let range):
            let display = ([name] + labels.map { jsonQuoted($0.value) }).joined(separator: " ")
            let body = try child(source: source, displayName: display)
            return [BlockReader(type: name, typeRange: nameRange, labels: labels, body: body, range: range)]
        case .expression(let name, let nameRange, let expression):
            switch expression.kind {
            case .object(let items):
                let body = try child(objectItems: items, range: expression.range, displayName: name)
                return [BlockReader(type: name, typeRange: nameRange, labels: [], body: body, range: expression.range)]
            case .tuple(let elements):
                var readers: [BlockReader] = []
                for (position, element) in elements.enumerated() {
                    let display = "\(name)[\(position)]"
                    if case .object(let items) = element.kind {
                        let body = try child(objectItems: items, range: element.range, displayName: display)
                        readers.append(
                            BlockReader(type: name, typeRange: nameRange, labels: [], body: body, range: element.range))
                    } else {
                        readers.append(
                            contentsOf: try valueReaders(
                                try context.evaluate(element), name: name, nameRange: nameRange, range: element.range,
                                display: display))
                    }
                }
                return readers
            default:
                return try valueReaders(
                    try context.evaluate(expression), name: name, nameRange: nameRange, range: expression.range,
                    display: name)
            }
        case .value(let name, let nameRange, let value):
            return try valueReaders(value, name: name, nameRange: nameRange, range: nameRange, display: name)
        }
    }

    func valueReaders(
        _ value: Value, name: String, nameRange: SourceRange, range: SourceRange, display: String
    ) throws(Diagnostics) -> [BlockReader] {
        switch value {
        case .null:
            return []
        case .object(let object):
            let body = BodyReader(
                object: object, range: range, context: context, keyMatching: keyMatching, displayName: display)
            return [BlockReader(type: name, typeRange: nameRange, labels: [], body: body, range: range)]
        case .tuple(let elements):
            var readers: [BlockReader] = []
            for (position, element) in elements.enumerated() {
                guard case .object(let object) = element else {
                    throw Diagnostics(
                        .error(
                            "\"\(name)\" must be a block or a list of objects, but element \(position) is "
                                + element.phrase, at: range))
                }
                let body = BodyReader(
                    object: object, range: range, context: context, keyMatching: keyMatching,
                    displayName: "\(display)[\(position)]")
                readers.append(BlockReader(type: name, typeRange: nameRange, labels: [], body: body, range: range))
            }
            return readers
        default:
            throw Diagnostics(
                .error("\"\(name)\" must be a block or an object, but it is \(value.phrase)", at: range))
        }
    }

    // MARK: Checking

    /// Reports every key not in `allowed` (compared with this reader's key matching), all at once.
    public func checkKeys(_ allowed: [String]) throws(Diagnostics) {
        var errors = Diagnostics()
        for entry in entries where !allowed.contains(where: { keyMatching.matches(entry.name, $0) }) {
            let kind = entry.isBlock ? "block" : "attribute"
            errors.append(
                .error(
                    "unknown \(kind) \"\(entry.name)\" \(location); expected one of: "
                        + allowed.joined(separator: ", "), at: entry.nameRange))
        }
        if !errors.isEmpty { throw errors }
    }

    var location: String {
        displayName == "the top level" ? "at the top level" : "in \(displayName)"
    }
}

/// A block (or an object read as a block) with its labels and a reader for its body.
public struct BlockReader: Sendable {
    public let type: String
    public let typeRange: SourceRange
    public let labels: [Label]
    public let body: BodyReader
    public let range: SourceRange

    /// Checks that the block has exactly `count` labels and returns their values; `names` name them in errors.
    @discardableResult
    public func requireLabels(_ count: Int, names: [String] = []) throws(Diagnostics) -> [String] {
        guard labels.count == count else {
            let described = names.isEmpty ? "" : " (" + names.joined(separator: ", ") + ")"
            let plural = count == 1 ? "label" : "labels"
            let example = ([type] + (names.isEmpty ? Array(repeating: "name", count: count) : names).map(jsonQuoted))
                .joined(separator: " ")
            let at = labels.count > count ? labels[count].range : typeRange
            throw Diagnostics(
                .error(
                    "block \"\(type)\" needs \(count) \(plural)\(described) but has \(labels.count); write it as "
                        + "\(example) { ... }", at: at))
        }
        return labels.map(\.value)
    }
}
