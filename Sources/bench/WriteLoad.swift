/// One write to the cluster under test: store `value` under `key` and return once the cluster acknowledged it.
typealias KeyWriter = @Sendable (_ key: String, _ value: String) async throws -> Void

/// A closed-loop write load: `writers` concurrent callers, each issuing its next write when the previous returns.
///
/// Closed loop, because that is how Caravan's own callers (ctl, clients, the scheduler) behave, and it measures
/// what group commit is for: how throughput grows with concurrent writers while each waits for its fsync.
struct WriteLoad {
    /// Concurrent callers.
    var writers: Int
    /// Writes in total, shared by the callers: caller `i` does writes `i`, `i + writers`, ...
    var writes: Int
    /// Callers stop starting writes after this, so one slow level cannot take minutes.
    var timeLimit: Duration
    /// Key prefix, distinct per level so every write creates a new key.
    var keyPrefix: String
    /// Where the writes go, in turn: caller `i` sends its `n`-th write to `targets[(i + n) % targets.count]`, so
    /// even a single caller spreads its writes evenly over all targets.
    var targets: [KeyWriter]
    var value: String

    /// What a load run measured.
    struct Outcome: Sendable {
        var elapsed: Duration
        /// Latencies of the writes that succeeded, sorted.
        var latencies: [Duration]
        /// Failed writes, by error text.
        var errors: [String: Int]

        var failed: Int { errors.values.reduce(0, +) }
    }

    func run() async -> Outcome {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + timeLimit
        let (writers, writes, targets) = (self.writers, self.writes, self.targets)
        let (keyPrefix, value) = (self.keyPrefix, self.value)
        var latencies: [Duration] = []
        latencies.reserveCapacity(writes)
        var errors: [String: Int] = [:]
        await withTaskGroup(of: ([Duration], [String: Int]).self) { group in
            for writer in 0..<min(writers, writes) {
                group.addTask {
                    var latencies: [Duration] = []
                    var errors: [String: Int] = [:]
                    for (turn, sequence) in stride(from: writer, to: writes, by: writers).enumerated() {
                        guard clock.now < deadline, !Task.isCancelled else { break }
                        let target = targets[(writer + turn) % targets.count]
                        let began = clock.now
                        do {
                            try await target("\(keyPrefix)/w\(writer)/\(sequence)", value)
                            latencies.append(clock.now - began)
                        } catch {
                            errors["\(error)", default: 0] += 1
                        }
                    }
                    return (latencies, errors)
                }
            }
            for await (writerLatencies, writerErrors) in group {
                latencies += writerLatencies
                errors.merge(writerErrors, uniquingKeysWith: +)
            }
        }
        let elapsed = clock.now - start
        latencies.sort()
        return Outcome(elapsed: elapsed, latencies: latencies, errors: errors)
    }
}

extension WriteLoad {
    /// A value of `bytes` random letters and digits: valid as a Caravan item and an etcd value, and not
    /// compressible, so neither system gains from a repetitive payload.
    static func randomValue(bytes: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<bytes).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
    }
}
