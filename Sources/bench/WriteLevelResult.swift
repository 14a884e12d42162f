import Foundation

/// One row of `bench raft`: a system, where the writes went, and the throughput and latency measured.
struct WriteLevelResult: Codable, Sendable {
    var system: String
    /// "all" (every member in turn), "leader" (the leader only) or "follower" (the two followers).
    var target: String
    var writers: Int
    var writes: Int
    var errors: Int
    var seconds: Double
    var writesPerSecond: Double
    var p50Milliseconds: Double
    var p99Milliseconds: Double
    var p999Milliseconds: Double
    var maxMilliseconds: Double

    init(system: String, target: String, writers: Int, outcome: WriteLoad.Outcome) {
        self.system = system
        self.target = target
        self.writers = writers
        writes = outcome.latencies.count
        errors = outcome.failed
        seconds = outcome.elapsed.seconds
        writesPerSecond = seconds > 0 ? Double(writes) / seconds : 0
        p50Milliseconds = outcome.latencies.percentile(0.50).milliseconds
        p99Milliseconds = outcome.latencies.percentile(0.99).milliseconds
        p999Milliseconds = outcome.latencies.percentile(0.999).milliseconds
        maxMilliseconds = (outcome.latencies.last ?? .zero).milliseconds
    }

    /// Writes the table (or JSON) straight to stdout, unbuffered, so it comes before the notes on stderr.
    static func print(_ results: [WriteLevelResult], json: Bool) {
        var text = ([header] + results.map(\.row)).joined(separator: "\n")
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            text = (try? encoder.encode(results)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        }
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static let header = [
        "system".padding(toLength: 8, withPad: " ", startingAt: 0),
        "target".padding(toLength: 8, withPad: " ", startingAt: 0),
        "writers", " writes", "errors", "   secs", " writes/s", " p50 ms", " p99 ms", "p99.9 ms", " max ms",
    ].joined(separator: "  ")

    var row: String {
        [
            system.padding(toLength: 8, withPad: " ", startingAt: 0),
            target.padding(toLength: 8, withPad: " ", startingAt: 0),
            String(format: "%7d", writers), String(format: "%7d", writes), String(format: "%6d", errors),
            String(format: "%7.2f", seconds), String(format: "%9.1f", writesPerSecond),
            String(format: "%7.2f", p50Milliseconds), String(format: "%7.2f", p99Milliseconds),
            String(format: "%8.2f", p999Milliseconds), String(format: "%7.1f", maxMilliseconds),
        ].joined(separator: "  ")
    }
}

extension Duration {
    var milliseconds: Double { seconds * 1e3 }
}
