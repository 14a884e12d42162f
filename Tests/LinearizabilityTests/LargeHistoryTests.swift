import Linearizability
import Testing

@Suite("Generated histories")
struct LargeHistoryTests {
    @Test("5 clients x 2,000 operations over 10 keys from an atomic store check quickly")
    func largeHistoryIsLinearizable() {
        let history = AtomicStoreSimulation().run(seed: 7)
        #expect(history.count == 10_000)
        let clock = ContinuousClock()
        var result = LinearizabilityResult.linearizable
        let elapsed = clock.measure { result = checkKV(history, budget: CheckBudget(timeout: .seconds(20))) }
        #expect(result == .linearizable)
        #expect(elapsed < .seconds(3), "took \(elapsed)")
    }

    @Test("the same history with one stale read is rejected at that read")
    func corruptedReadIsRejected() throws {
        var history = AtomicStoreSimulation().run(seed: 7)
        let corrupted = try #require(corruptOneRead(&history))
        let clock = ContinuousClock()
        var result = LinearizabilityResult.linearizable
        let elapsed = clock.measure { result = checkKV(history, budget: CheckBudget(timeout: .seconds(20))) }
        let failure = try #require(result.failure, "got \(result)")
        #expect(failure.partition == "key \(String(reflecting: history[corrupted].input.key))")
        #expect(elapsed < .seconds(3), "took \(elapsed)")
    }

    @Test("histories from many seeds with many lost answers are accepted, and rejected with one stale read")
    func manySeeds() {
        for seed in UInt64(1)...10 {
            let simulation = AtomicStoreSimulation(clients: 4, operationsPerClient: 150, keys: 3, unknownPercent: 5)
            var history = simulation.run(seed: seed)
            let budget = CheckBudget(timeout: .seconds(10))
            let result = checkKV(history, budget: budget)
            #expect(result == .linearizable, "seed \(seed): \(result)")
            if corruptOneRead(&history) != nil {
                let corrupted = checkKV(history, budget: budget)
                #expect(corrupted.failure != nil, "seed \(seed): \(corrupted)")
            }
        }
    }

    @Test("one hot key with many lost answers in flight is still quick to accept")
    func hotKeyWithManyPending() {
        let simulation = AtomicStoreSimulation(clients: 6, operationsPerClient: 100, keys: 1, unknownPercent: 9)
        let history = simulation.run(seed: 309)
        #expect(history.count { $0.isPending } > 40)
        let clock = ContinuousClock()
        var result = LinearizabilityResult.linearizable
        let elapsed = clock.measure { result = checkKV(history, budget: CheckBudget(timeout: .seconds(20))) }
        #expect(result == .linearizable)
        #expect(elapsed < .seconds(3), "took \(elapsed)")
    }
}
