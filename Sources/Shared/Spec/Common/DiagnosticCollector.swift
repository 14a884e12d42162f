import HCL

/// Collects every diagnostic found while decoding, so one run reports as many problems as it can.
///
/// Readers record what went wrong and return nil instead of throwing, so decoding carries on past a bad value;
/// `result()` gives the problems in file order once decoding is done.
struct DiagnosticCollector {
    /// Everything recorded so far, in the order it was found.
    private(set) var collected = Diagnostics()

    var isEmpty: Bool { collected.isEmpty }
    var hasErrors: Bool { collected.hasErrors }

    mutating func add(_ message: String, at range: SourceRange) {
        collected.append(.error(message, at: range))
    }

    mutating func add(_ diagnostics: Diagnostics) {
        collected.append(contentsOf: diagnostics)
    }

    /// Runs `read`, recording what it throws; nil when it failed.
    mutating func attempt<T>(_ read: () throws(Diagnostics) -> T) -> T? {
        do {
            return try read()
        } catch {
            add(error)
            return nil
        }
    }

    /// Every diagnostic in file order (stable for equal positions, and for different files in the order found),
    /// without repeats of the same diagnostic at the same place.
    func result() -> Diagnostics {
        var seen = Set<Diagnostic>()
        let unique = collected.items.filter { seen.insert($0).inserted }
        let sorted = unique.enumerated().sorted { lhs, rhs in
            let left = lhs.element.range
            let right = rhs.element.range
            if left.filename != right.filename { return lhs.offset < rhs.offset }
            if left.start.offset != right.start.offset { return left.start.offset < right.start.offset }
            return lhs.offset < rhs.offset
        }
        return Diagnostics(sorted.map(\.element))
    }
}
