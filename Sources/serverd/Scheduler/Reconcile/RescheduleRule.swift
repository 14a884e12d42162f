import CaravanProto
import Foundation
import SwiftProtobuf

/// When and whether a failed allocation is replaced, from the group's reschedule policy or the defaults of
/// its job type (service: unlimited, 30s exponential up to 1h; batch: once a day after 5s).
struct RescheduleRule {
    var unlimited: Bool
    var attempts: Int
    var interval: TimeInterval
    var delay: TimeInterval
    var delayFunction: Caravan_V1_ReschedulePolicy.DelayFunction
    var maxDelay: TimeInterval

    init(group: Caravan_V1_TaskGroup, jobType: String) {
        if group.hasReschedulePolicy {
            let policy = group.reschedulePolicy
            unlimited = policy.unlimited
            attempts = Int(policy.attempts)
            interval = policy.interval.timeInterval
            delay = policy.delay.timeInterval
            delayFunction = policy.delayFunction
            maxDelay = policy.hasMaxDelay ? policy.maxDelay.timeInterval : 0
        } else if jobType == "batch" {
            unlimited = false
            attempts = 1
            interval = 24 * 3600
            delay = 5
            delayFunction = .constant
            maxDelay = 0
        } else {
            unlimited = true
            attempts = 0
            interval = 0
            delay = 30
            delayFunction = .exponential
            maxDelay = 3600
        }
    }

    enum Decision: Equatable {
        /// Replace now; `delay` is what the policy asked for (recorded in the reschedule event).
        case now(delay: TimeInterval)
        /// Replace at this time through a follow-up evaluation.
        case later(Date, delay: TimeInterval)
        /// The policy's attempts are used up.
        case never
    }

    /// The decision for a failed allocation. The clock starts at the allocation's modify_time (when the
    /// client reported the failure), falling back to `now` when unset.
    func decide(for allocation: Caravan_V1_Allocation, now: Date) -> Decision {
        let events = allocation.rescheduleTracker.events
        if !unlimited {
            let windowStart = now.addingTimeInterval(-interval)
            let recent = events.filter { $0.rescheduleTime.date > windowStart }.count
            guard attempts > 0, recent < attempts else { return .never }
        }
        let wait = nextDelay(previousAttempts: events.count)
        let failedAt = allocation.hasModifyTime ? allocation.modifyTime.date : now
        let due = failedAt.addingTimeInterval(wait)
        return due <= now ? .now(delay: wait) : .later(due, delay: wait)
    }

    /// constant: delay; exponential: delay·2ⁿ; fibonacci: delay·fib(n+1); capped at max_delay when set.
    func nextDelay(previousAttempts n: Int) -> TimeInterval {
        var value: TimeInterval
        switch delayFunction {
        case .exponential:
            value = delay * pow(2, Double(min(n, 62)))
        case .fibonacci:
            var (a, b) = (1.0, 1.0)
            for _ in 0..<min(n, 90) { (a, b) = (b, a + b) }
            value = delay * a
        default:
            value = delay
        }
        if maxDelay > 0 { value = min(value, maxDelay) }
        return value
    }
}
