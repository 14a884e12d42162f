/// How much work a check may do before it gives up with `.unknown`.
///
/// Linearizability checking is NP-complete; a bound keeps a pathological history from hanging a test run.
public struct CheckBudget: Sendable {
    /// Wall-clock limit for the whole check; `nil` for none.
    public var timeout: Duration?
    /// Limit on search steps (one per event visited) across all partitions; `nil` for none.
    public var maxSteps: Int?

    public init(timeout: Duration? = .seconds(60), maxSteps: Int? = nil) {
        self.timeout = timeout
        self.maxSteps = maxSteps
    }
}

/// Spends a `CheckBudget`, reading the clock only every few thousand steps.
struct BudgetMeter {
    private var stepsLeft: Int?
    private let deadline: ContinuousClock.Instant?
    private var untilClockCheck = 0
    private(set) var exhaustion: String?

    init(_ budget: CheckBudget) {
        stepsLeft = budget.maxSteps
        deadline = budget.timeout.map { ContinuousClock.now.advanced(by: $0) }
    }

    /// Takes one step; false once the budget is spent.
    mutating func spend() -> Bool {
        if let left = stepsLeft {
            guard left > 0 else {
                exhaustion = "step budget exhausted"
                return false
            }
            stepsLeft = left - 1
        }
        if let deadline {
            untilClockCheck -= 1
            if untilClockCheck <= 0 {
                untilClockCheck = 4096
                if ContinuousClock.now >= deadline {
                    exhaustion = "timed out"
                    return false
                }
            }
        }
        return true
    }
}
