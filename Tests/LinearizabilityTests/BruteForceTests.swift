import Linearizability
import Testing

/// Tries every order of a small history: the reference the search is compared against.
///
/// An operation may go next when no remaining completed operation returned before it was invoked; pending
/// operations may also be left out. Exponential, so only for a handful of operations.
func bruteForceLinearizable<Model: LinearizabilityModel>(
    _ history: [RecordedOperation<Model.Input, Model.Output>], model: Model
) -> Bool {
    func search(_ remaining: [Int], _ state: Model.State) -> Bool {
        if remaining.allSatisfy({ history[$0].isPending }) { return true }
        for candidate in remaining {
            let blocked = remaining.contains { other in
                history[other].returnTime.map { $0 < history[candidate].invokeTime } ?? false
            }
            if blocked { continue }
            let rest = remaining.filter { $0 != candidate }
            for next in model.step(state, history[candidate].input, history[candidate].output)
            where search(rest, next) {
                return true
            }
        }
        return false
    }
    return search(Array(history.indices), model.initial())
}

@Suite("Search against brute force")
struct BruteForceTests {
    /// Replaces one output with a plausible but possibly wrong one.
    private func mutate(_ history: inout [KVOperation], random: inout SeededRandom) {
        let index = random.below(history.count)
        let version = UInt64(random.below(12))
        let outputs: [KVOutput] = [
            .ok(version: version), .found("c\(random.below(3))-\(random.below(2))", version: version), .notFound,
            .conflict, .deleted, .unknown, .failed,
        ]
        history[index].output = outputs[random.below(outputs.count)]
        if random.below(3) == 0 { history[index].returnTime = nil }
    }

    @Test("small random histories get the same verdict as trying every order")
    func agreesWithBruteForce() {
        var random = SeededRandom(seed: 2024)
        var rejected = 0
        for seed in UInt64(1)...400 {
            let simulation = AtomicStoreSimulation(clients: 3, operationsPerClient: 3, keys: 1, unknownPercent: 25)
            var history = simulation.run(seed: seed)
            if seed % 4 != 0 { mutate(&history, random: &random) }
            let model = KeyValueModel<String, String>()
            let expected = bruteForceLinearizable(history, model: model)
            let result = LinearizabilityChecker.check(history, model: model)
            #expect(result.isLinearizable == expected, "seed \(seed): \(history)")
            if !expected { rejected += 1 }
        }
        #expect(rejected > 50)
    }

    @Test("random counter histories with commuting pending increments agree with trying every order")
    func counterAgreesWithBruteForce() {
        var random = SeededRandom(seed: 7)
        for round in 0..<300 {
            let history = (0..<(3 + random.below(5))).map { index in
                let start = UInt64(random.below(10))
                let pending = random.below(3) == 0
                let read = random.below(2) == 0
                return RecordedOperation<Counter.Input, Int>(
                    clientID: index, input: read ? .read : .increment, output: random.below(4), invokeTime: start,
                    returnTime: pending && !read ? nil : start + UInt64(random.below(4)))
            }
            let expected = bruteForceLinearizable(history, model: Counter())
            #expect(
                LinearizabilityChecker.check(history, model: Counter()).isLinearizable == expected, "round \(round)")
        }
    }
}
