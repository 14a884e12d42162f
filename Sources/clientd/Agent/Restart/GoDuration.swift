import Spec

/// Formats a duration as Go's `time.Duration.String` does ("30m0s", "24h0m0s", "1.5s", "250ms"), so messages read
/// exactly like Nomad's.
func goDurationString(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    let nanoseconds = seconds.multipliedReportingOverflow(by: 1_000_000_000)
    guard !nanoseconds.overflow else { return "\(seconds)s" }
    return GoDurationText.goStyle(nanoseconds.partialValue &+ attoseconds / 1_000_000_000)
}
