/// Reads one field of a cron expression (why: each field has its own range and names, and an error must say which
/// field and which item is wrong).
///
/// A field is a comma list of items: `*`, `?` (day fields only), `a`, `a-b`, `*/n`, `a-b/n` and `a/n` (from `a` to
/// the end of the field's range). Quartz extensions `L`, `W` and `#` are rejected as not supported.
struct CronFieldParser {
    let text: Substring
    let kind: CronFieldKind

    func parse() throws(CronError) -> CronField {
        var values = Set<Int>()
        var isWildcard = false
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw fail("empty item in the list") }
            if item == "*" || item == "?" {
                if item == "?" && kind != .dayOfMonth && kind != .dayOfWeek {
                    throw fail("\"?\" is only allowed in the day-of-month and day-of-week fields")
                }
                isWildcard = true
                values.formUnion(kind.span)
                continue
            }
            try rejectUnsupported(item)
            values.formUnion(try expand(item))
        }
        if kind == .dayOfWeek, values.remove(7) != nil { values.insert(0) }
        return CronField(values: values.sorted(), isWildcard: isWildcard)
    }

    func fail(_ reason: String) -> CronError {
        CronError(description: "\(kind.name) field \(quoted(String(text))): \(reason)")
    }

    /// The values of one item other than `*` and `?`.
    private func expand(_ item: Substring) throws(CronError) -> [Int] {
        let parts = item.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { throw fail("\(quoted(String(item))) has more than one \"/\"") }
        let base = parts[0]
        var step = 1
        if parts.count == 2 { step = try parseStep(parts[1]) }
        let range: ClosedRange<Int>
        if base == "*" && parts.count == 2 {
            range = kind.span
        } else if base.isEmpty {
            throw fail("\(quoted(String(item))) needs a value before \"/\"")
        } else if parts.count == 2 && !base.contains("-") {
            let start = try value(base)
            range = start...max(start, kind.span.upperBound)
        } else {
            range = try parseRange(base)
        }
        return Array(stride(from: range.lowerBound, through: range.upperBound, by: step))
    }

    private func parseStep(_ text: Substring) throws(CronError) -> Int {
        guard !text.isEmpty, text.allSatisfy(\.isASCIIDigit) else {
            throw fail("step \(quoted(String(text))) is not a whole number")
        }
        let limit = kind.span.count
        guard let step = Int(text), step <= limit else {
            throw fail("step \(text) is larger than the \(limit) values of the field")
        }
        guard step >= 1 else { throw fail("step \(text) must be at least 1") }
        return step
    }

    private func parseRange(_ text: Substring) throws(CronError) -> ClosedRange<Int> {
        let ends = text.split(separator: "-", omittingEmptySubsequences: false)
        if ends.count == 1 {
            let single = try value(ends[0])
            return single...single
        }
        guard ends.count == 2, !ends[0].isEmpty, !ends[1].isEmpty else {
            throw fail("\(quoted(String(text))) is not a range; write start-end with a value on each side")
        }
        let start = try value(ends[0])
        var end = try value(ends[1])
        // FRI-SUN reads as Friday to Sunday: a named Sunday closing a range counts as 7.
        if kind == .dayOfWeek && end == 0 && start > 0 && kind.names[ends[1].uppercased()] != nil { end = 7 }
        guard start <= end else { throw fail("range \(text) is reversed: \(start) comes after \(end)") }
        return start...end
    }

    private func value(_ text: Substring) throws(CronError) -> Int {
        if !text.isEmpty && text.allSatisfy(\.isASCIIDigit) {
            let bounds = kind.bounds
            guard let number = Int(text), bounds.contains(number) else {
                throw fail("\(text) is out of range \(bounds.lowerBound)-\(bounds.upperBound)")
            }
            return number
        }
        if let named = kind.names[text.uppercased()] { return named }
        throw fail("\(quoted(String(text))) is not a number\(kind.nameHint)")
    }

    /// Quartz's `L` (last), `W` (nearest weekday) and `#` (nth weekday) get a clear "not supported".
    private func rejectUnsupported(_ item: Substring) throws(CronError) {
        let upper = item.uppercased()
        switch kind {
        case .dayOfMonth where upper.contains("L") || upper.contains("W"):
            throw fail("\"L\" (last day of the month) and \"W\" (nearest weekday) are not supported")
        case .dayOfWeek where upper.contains("#"):
            throw fail("\"#\" (nth weekday of the month) is not supported")
        case .dayOfWeek where upper.count > 1 && upper.hasSuffix("L"):
            let day = upper.dropLast()
            if Int(day) != nil || kind.names[String(day)] != nil {
                throw fail("\"L\" (last weekday of the month) is not supported")
            }
        default:
            break
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool {
        ("0"..."9").contains(self)
    }
}
