/// Groups similar daemon log lines into "count × example", so a run that logged a warning thousands of times
/// reports it once, with how often it happened.
struct LogDigest {
    struct Entry {
        var count: Int
        var example: String
    }

    private(set) var entries: [String: Entry] = [:]

    mutating func add(_ line: String, count: Int = 1) {
        let shape = Self.shape(of: line)
        entries[shape, default: Entry(count: 0, example: line)].count += count
    }

    /// The most frequent groups first, at most `limit` of them, as "N × example" lines.
    func lines(limit: Int = 25) -> [String] {
        let sorted = entries.values.sorted { $0.count > $1.count || ($0.count == $1.count && $0.example < $1.example) }
        var lines = sorted.prefix(limit).map { "\($0.count) × \($0.example)" }
        if sorted.count > limit { lines.append("… and \(sorted.count - limit) other kinds") }
        return lines
    }

    /// What makes two lines "the same": the daemon's kind and the message, without timestamps, IDs, numbers.
    ///
    /// Lines look like `serverd-1: 2026-…Z [WARN]  serverd: message key=value …` (Caravan) or
    /// `etcd-0: {"level":"warn","ts":…,"msg":"message",…}` (etcd's zap JSON).
    static func shape(of line: String) -> String {
        let (daemon, text) =
            line.firstRange(of: ": ").map { (line[..<$0.lowerBound], line[$0.upperBound...]) } ?? ("", line[...])
        let kind = daemon.split(separator: "-").first.map(String.init) ?? ""
        if text.hasPrefix("{"), let message = text.firstMatch(of: /"level":"(\w+)".*"msg":"([^"]*)"/) {
            return "\(kind) \(message.1) \(message.2)"
        }
        // Caravan's text format: drop the timestamp, then the metadata (everything from the first " key=").
        var message = text.drop { $0 != " " }.drop { $0 == " " }
        if let metadata = message.firstMatch(of: #/ [a-z_]+=/#) { message = message[..<metadata.range.lowerBound] }
        return "\(kind) \(message)"
    }
}
