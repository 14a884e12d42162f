// libFuzzer entry point for the HCL parser and evaluator: any bytes in, never a crash or a hang out.
// Built by deploy/fuzz-hcl with `swiftc -sanitize=fuzzer,address` together with Sources/Shared/HCL.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHCL(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let (body, _) = HCLParser.parseRecovering(bytes: bytes, filename: "fuzz.hcl")
    // Evaluate every attribute too: the evaluator must survive whatever the parser accepted.
    let context = EvaluationContext()
    for item in body.items {
        if case .attribute(let attribute) = item {
            _ = try? context.evaluate(attribute.expression)
        }
    }
    _ = try? HCLDocument.load(bytes: bytes, filename: "fuzz.hcl")
    return 0
}
