import HCL

/// Shared plumbing for the spec decoders: reading HCL or JSON into a `BodyReader`, and where errors point.
enum SpecDecoding {
    /// A reader over the top level of `source`, HCL or JSON, with every key position kept.
    ///
    /// JSON is parsed as one HCL object expression and its members become top-level attributes, so nested
    /// objects and lists keep their positions and read exactly like the HCL form.
    static func document(_ source: SpecSource, keyMatching: KeyMatching) throws(Diagnostics) -> BodyReader {
        let context = EvaluationContext(variables: [:], functions: [:], declaredRoots: [])
        guard source.isJSON else {
            let body = try HCLParser.parse(bytes: source.bytes, filename: source.filename)
            return BodyReader(body: body, context: context, keyMatching: keyMatching)
        }
        let text = String(decoding: source.bytes, as: UTF8.self)
        let expression = try HCLParser.parseExpression(text, filename: source.filename)
        guard case .object(let members) = expression.kind else {
            throw Diagnostics(.error("a JSON document must be an object ({ ... })", at: expression.range))
        }
        var items: [BodyItem] = []
        var errors = Diagnostics()
        for member in members {
            let name: String
            switch member.key {
            case .name(let key):
                name = key
            case .expression(let keyExpression):
                do {
                    guard let key = try context.evaluate(keyExpression).asString() else {
                        errors.append(.error("an object key must be a string", at: member.keyRange))
                        continue
                    }
                    name = key
                } catch {
                    errors.append(contentsOf: error)
                    continue
                }
            }
            items.append(
                .attribute(
                    Attribute(name: name, nameRange: member.keyRange, expression: member.value, range: member.range)))
        }
        if !errors.isEmpty { throw errors }
        let body = Body(items: items, range: expression.range)
        return BodyReader(body: body, context: context, keyMatching: keyMatching)
    }

    /// Where a value error about `name` should point: the value when it is written as an expression, else the key.
    static func valueRange(_ reader: BodyReader, _ name: String) -> SourceRange {
        reader.expression(name)?.range ?? reader.range(of: name) ?? reader.range
    }

    /// Where an error about key `name` should point.
    static func keyRange(_ reader: BodyReader, _ name: String) -> SourceRange {
        reader.range(of: name) ?? reader.range
    }

    /// `["a", "b", "c"]` as `a, b or c`.
    static func alternatives(_ names: [String], quoted: Bool = false) -> String {
        let shown = quoted ? names.map { "\"\($0)\"" } : names
        guard let last = shown.last else { return "" }
        if shown.count == 1 { return last }
        return shown.dropLast().joined(separator: ", ") + " or " + last
    }
}
