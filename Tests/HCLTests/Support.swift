import HCL

/// Parses `source` as a file named `test.hcl`.
func parse(_ source: String) throws -> Body {
    try HCLParser.parse(source, filename: "test.hcl")
}

/// Evaluates one expression written in HCL.
func value(_ source: String, _ variables: [String: Value] = [:]) throws -> Value {
    let expression = try HCLParser.parseExpression(source, filename: "expr.hcl")
    return try evaluate(expression, in: EvaluationContext(variables: variables))
}

/// The diagnostics (as `file:line:col: message`) that parsing `source` reports.
func parseErrors(_ source: String) -> [String] {
    parseErrors(bytes: Array(source.utf8))
}

func parseErrors(bytes: [UInt8]) -> [String] {
    HCLParser.parseRecovering(bytes: bytes, filename: "test.hcl").diagnostics.map(\.description)
}

/// The diagnostics that evaluating `source` reports, or an empty list when it succeeds.
func evaluationErrors(_ source: String, _ variables: [String: Value] = [:]) -> [String] {
    do {
        let expression = try HCLParser.parseExpression(source, filename: "expr.hcl")
        _ = try evaluate(expression, in: EvaluationContext(variables: variables))
        return []
    } catch {
        return error.map(\.description)
    }
}

/// The value of attribute `name` of a parsed body, evaluated in `context`.
func attributeValue(_ body: Body, _ name: String, _ context: EvaluationContext = EvaluationContext()) throws -> Value? {
    guard let attribute = body.attribute(named: name) else { return nil }
    return try attribute.expression.evaluate(in: context)
}
