import HCL

/// A user's file as the decoders take it: its name (for positions in errors) and its bytes.
public typealias SpecSource = SourceFile

extension SourceFile {
    /// JSON when the name ends in `.json` or the first non-blank byte is `{`; HCL otherwise.
    public var isJSON: Bool {
        if filename.lowercased().hasSuffix(".json") { return true }
        let first = bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        return first == UInt8(ascii: "{")
    }
}

/// Reads a JSON document into an HCL value with source positions.
///
/// A JSON document is an HCL object/tuple expression (`{"Kind": "x"}` uses `:` separators, which HCL accepts),
/// so the HCL parser gives JSON input the same `file:line:col` errors as HCL input. Strings in JSON are templates
/// in HCL's JSON syntax too, so `${NOMAD_PORT_http}` is kept verbatim just as in HCL.
public enum JSONDocument {
    public static func read(_ source: SpecSource, context: EvaluationContext = EvaluationContext())
        throws(Diagnostics) -> (value: Value, range: SourceRange)
    {
        let text = String(decoding: source.bytes, as: UTF8.self)
        let expression = try HCLParser.parseExpression(text, filename: source.filename)
        let value = try context.evaluate(expression)
        return (value, expression.range)
    }
}
