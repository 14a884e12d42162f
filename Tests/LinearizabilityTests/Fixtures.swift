import Linearizability

typealias KVInput = KeyValueInput<String, String>
typealias KVOutput = KeyValueOutput<String>
typealias KVOperation = RecordedOperation<KVInput, KVOutput>

/// One key/value operation over `[start, end]`; `end == nil` means it never returned.
func op(_ client: Int, _ start: UInt64, _ end: UInt64?, _ input: KVInput, _ output: KVOutput) -> KVOperation {
    RecordedOperation(clientID: client, input: input, output: output, invokeTime: start, returnTime: end)
}

func checkKV(_ history: [KVOperation], budget: CheckBudget = CheckBudget()) -> LinearizabilityResult {
    LinearizabilityChecker.check(history, model: KeyValueModel<String, String>(), budget: budget)
}

extension LinearizabilityResult {
    /// The failure, when the history was rejected.
    var failure: LinearizabilityFailure? {
        if case .notLinearizable(let failure) = self { failure } else { nil }
    }
}

/// A small seeded generator (SplitMix64) so generated histories are reproducible.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// A value in `0..<bound`.
    mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}

/// A counter with increments that commute: the search must not let two pending ones each defer to the other.
struct Counter: LinearizabilityModel {
    enum Input {
        case increment
        case read
    }

    func initial() -> Int { 0 }

    func step(_ state: Int, _ input: Input, _ output: Int) -> [Int] {
        switch input {
        case .increment: [state + 1]
        case .read: output == state ? [state] : []
        }
    }
}
