import CaravanProto

/// Decides, each time a task exits or fails to start, whether the task runner restarts it (and after how long) or
/// stops it for good, following Nomad's restart tracker. A pure value: time and randomness come from the caller.
struct RestartTracker: Sendable {
    /// Added to the delay, as a fraction of it at most, so tasks that failed together do not restart in lockstep.
    static let jitter = 0.25

    let policy: EffectiveRestartPolicy
    /// Whether a successful exit restarts the task (services, sidecars) or completes it (batch, ephemeral hooks).
    let restartOnSuccess: Bool
    /// Restarts counted in the current interval.
    private(set) var count = 0
    private(set) var windowStart: ContinuousClock.Instant

    init(
        policy: EffectiveRestartPolicy, jobType: Caravan_V1_JobType, lifecycle: Caravan_V1_TaskLifecycle? = nil,
        start: ContinuousClock.Instant
    ) {
        self.policy = policy
        var onSuccess = jobType != .batch
        if let lifecycle {
            switch lifecycle.hook {
            case .prestart, .poststart: onSuccess = lifecycle.sidecar
            case .poststop: onSuccess = false
            case .unspecified, .UNRECOGNIZED: break
            }
        }
        restartOnSuccess = onSuccess
        windowStart = start
    }

    /// The decision for an exit or start failure at `now`, with jitter drawn from `random`.
    mutating func decide(
        _ outcome: TaskOutcome, at now: ContinuousClock.Instant, using random: inout some RandomNumberGenerator
    ) -> RestartDecision {
        if policy.attempts == 0 {
            if !restartOnSuccess && outcome.succeeded {
                return .stop(failed: false, reason: Self.reasonNoRestartsAllowed)
            }
            return .stop(failed: true, reason: Self.reasonNoRestartsAllowed)
        }
        let windowEnd = windowStart + policy.interval
        if now > windowEnd {
            count = 0
            windowStart = now
        }
        count += 1

        switch outcome {
        case .startFailed(_, recoverable: false):
            return .stop(failed: true, reason: "Error was unrecoverable")
        case .exited where outcome.succeeded && !restartOnSuccess:
            return .stop(failed: false, reason: "Restart unnecessary as task terminated successfully")
        default: break
        }

        if count > policy.attempts {
            switch policy.mode {
            case .fail:
                let interval = goDurationString(policy.interval)
                return .stop(
                    failed: true,
                    reason: "Exceeded allowed attempts \(policy.attempts) in interval \(interval) and mode is \"fail\"")
            case .delay:
                let remaining = windowStart + policy.interval - now
                return .restart(after: max(.zero, remaining), reason: "Exceeded allowed attempts, applying a delay")
            }
        }
        return .restart(after: jittered(using: &random), reason: "Restart within policy")
    }

    /// `decide` with the system's random source.
    mutating func decide(_ outcome: TaskOutcome, at now: ContinuousClock.Instant) -> RestartDecision {
        var random = SystemRandomNumberGenerator()
        return decide(outcome, at: now, using: &random)
    }

    /// The delay plus up to 25% of it.
    private func jittered(using random: inout some RandomNumberGenerator) -> Duration {
        let (seconds, attoseconds) = policy.delay.components
        let nanos = max(1, seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        let extra = Double(Int64.random(in: 0..<nanos, using: &random)) * Self.jitter
        return .nanoseconds(nanos + Int64(extra))
    }

    static let reasonNoRestartsAllowed = "Policy allows no restarts"
}

/// How a task run ended, as the restart tracker sees it.
enum TaskOutcome: Sendable, Equatable {
    /// The task ran and exited (or was killed by a signal, or by the kernel for memory).
    case exited(code: Int32, signal: Int32 = 0, oomKilled: Bool = false, error: String? = nil)
    /// The driver could not start it; unrecoverable errors (e.g. an invalid config) are never retried.
    case startFailed(String, recoverable: Bool = true)

    var succeeded: Bool {
        if case .exited(let code, let signal, let oomKilled, let error) = self {
            return code == 0 && signal == 0 && !oomKilled && error == nil
        }
        return false
    }
}

/// What the task runner does next.
enum RestartDecision: Sendable, Equatable {
    /// Start the task again after the delay.
    case restart(after: Duration, reason: String)
    /// Leave the task dead; `failed` marks the task (and so its allocation) failed.
    case stop(failed: Bool, reason: String)
}
