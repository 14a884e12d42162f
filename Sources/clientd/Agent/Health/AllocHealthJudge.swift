import CaravanProto
import Foundation

/// Decides an allocation's health from its task states, as a pure function of the states and the clock.
///
/// Healthy: every task that is meant to keep running (main tasks and sidecars; ephemeral prestart, poststart
/// and poststop tasks are not) has been running for `min_healthy_time` since its last (re)start. Unhealthy: a
/// task failed, or the allocation was not healthy by `healthy_deadline` after it started. Otherwise pending,
/// with the time at which the answer may change without any task changing.
struct AllocHealthJudge: Sendable {
    enum Verdict: Equatable, Sendable {
        case healthy
        case unhealthy(String)
        case pending(recheckAt: Date)
    }

    let policy: AllocHealthPolicy
    /// Tasks judged (the long-running ones).
    let tasks: [String]
    /// When judging began: the allocation's start on this client.
    let since: Date

    init(policy: AllocHealthPolicy, plan: TaskLifecyclePlan, since: Date) {
        self.policy = policy
        self.tasks = plan.members.filter { $0.phase == .main || $0.sidecar }.map(\.name)
        self.since = since
    }

    func verdict(_ states: [String: Caravan_V1_TaskState], now: Date) -> Verdict {
        let deadline = since.addingTimeInterval(policy.healthyDeadline)
        for name in tasks {
            if let state = states[name], state.state == .dead, state.failed {
                return .unhealthy("Unhealthy because of failed task \"\(name)\"")
            }
        }
        var healthyAt = Date.distantPast
        var allRunning = true
        for name in tasks {
            guard let state = states[name], state.state == .running else {
                allRunning = false
                continue
            }
            let started = max(state.startedAt.date, state.hasLastRestart ? state.lastRestart.date : .distantPast)
            healthyAt = max(healthyAt, started.addingTimeInterval(policy.minHealthyTime))
        }
        if allRunning && healthyAt <= now { return .healthy }
        if now >= deadline {
            let limits =
                "min_healthy_time of \(Self.text(policy.minHealthyTime)) by healthy_deadline of "
                + Self.text(policy.healthyDeadline)
            return .unhealthy(allRunning ? "Task not running for \(limits)" : "Task not running by \(limits)")
        }
        return .pending(recheckAt: allRunning ? min(healthyAt, deadline) : deadline)
    }

    /// Durations the way Go prints them in Nomad's messages: "10s", "5m0s", "1h0m0s".
    static func text(_ interval: TimeInterval) -> String {
        let total = Int(interval.rounded())
        let hours = total / 3600
        let minutes = (total % 3600) / 60
        let seconds = total % 60
        if hours > 0 { return "\(hours)h\(minutes)m\(seconds)s" }
        if minutes > 0 { return "\(minutes)m\(seconds)s" }
        if interval < 1 && interval > 0 { return "\(Int((interval * 1000).rounded()))ms" }
        return "\(seconds)s"
    }
}
