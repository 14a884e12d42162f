/// Formats a duration as Go's `time.Duration.String` does ("30m0s", "24h0m0s", "1.5s", "250ms"), so messages read
/// exactly like Nomad's.
func goDurationString(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    let totalNanos = Int128(seconds) * 1_000_000_000 + Int128(attoseconds / 1_000_000_000)
    if totalNanos == 0 { return "0s" }
    let negative = totalNanos < 0
    let nanos = negative ? -totalNanos : totalNanos
    let sign = negative ? "-" : ""
    if nanos < 1_000_000_000 {
        let (unit, size): (String, Int128) =
            nanos < 1_000 ? ("ns", 1) : nanos < 1_000_000 ? ("µs", 1_000) : ("ms", 1_000_000)
        return sign + decimal(nanos, unitSize: size) + unit
    }
    let hours = nanos / 3_600_000_000_000
    let minutes = (nanos / 60_000_000_000) % 60
    let secondsText = decimal(nanos % 60_000_000_000, unitSize: 1_000_000_000) + "s"
    if hours > 0 { return "\(sign)\(hours)h\(minutes)m\(secondsText)" }
    if minutes > 0 { return "\(sign)\(minutes)m\(secondsText)" }
    return sign + secondsText
}

/// `value / unitSize` with the fraction's trailing zeros dropped.
private func decimal(_ value: Int128, unitSize: Int128) -> String {
    let whole = value / unitSize
    let fraction = value % unitSize
    guard fraction != 0 else { return "\(whole)" }
    var digits = String(fraction)
    let width = String(unitSize).count - 1
    digits = String(repeating: "0", count: width - digits.count) + digits
    while digits.hasSuffix("0") { digits.removeLast() }
    return "\(whole).\(digits)"
}
