import CaravanProto
import SwiftProtobuf
import Testing

@testable import ClientAgent

/// Returns the same word every time: 1 draws the smallest value of any range, `.max` the largest.
private struct FixedRandom: RandomNumberGenerator {
    var value: UInt64
    mutating func next() -> UInt64 { value }
}

private let noJitter = FixedRandom(value: 1)
private let service = EffectiveRestartPolicy.defaults(for: .service)
private let exitFailure = TaskOutcome.exited(code: 1)
private let exitSuccess = TaskOutcome.exited(code: 0)

/// Feeds outcomes at times (seconds after the tracker was created) and collects the decisions.
private func run(
    _ policy: EffectiveRestartPolicy, jobType: Caravan_V1_JobType = .service,
    lifecycle: Caravan_V1_TaskLifecycle? = nil, _ events: [(Int, TaskOutcome)]
) -> [RestartDecision] {
    let start = ContinuousClock.now
    var tracker = RestartTracker(policy: policy, jobType: jobType, lifecycle: lifecycle, start: start)
    var random = noJitter
    return events.map { seconds, outcome in
        tracker.decide(outcome, at: start + .seconds(seconds), using: &random)
    }
}

private let withinPolicy = RestartDecision.restart(after: .seconds(15), reason: "Restart within policy")

@Suite("Restart tracker")
struct RestartTrackerTests {
    @Test("Nomad's defaults: batch 3 in 24h, others 2 in 30m, 15s delay, mode fail")
    func defaults() {
        #expect(
            EffectiveRestartPolicy.defaults(for: .batch)
                == EffectiveRestartPolicy(attempts: 3, interval: .seconds(86400), delay: .seconds(15), mode: .fail))
        for type in [Caravan_V1_JobType.service, .system, .unspecified] {
            #expect(
                EffectiveRestartPolicy.defaults(for: type)
                    == EffectiveRestartPolicy(attempts: 2, interval: .seconds(1800), delay: .seconds(15), mode: .fail))
        }
    }

    @Test("the task's policy overrides the group's; unset fields fall through")
    func resolve() {
        var group = Caravan_V1_TaskGroup()
        group.restartPolicy.attempts = 5
        group.restartPolicy.interval = Google_Protobuf_Duration(seconds: 600)
        group.restartPolicy.mode = .delay
        var task = Caravan_V1_Task()
        #expect(
            EffectiveRestartPolicy.resolve(task: task, group: group, jobType: .service)
                == EffectiveRestartPolicy(attempts: 5, interval: .seconds(600), delay: .seconds(15), mode: .delay))
        task.restartPolicy.attempts = 1
        task.restartPolicy.delay = Google_Protobuf_Duration(seconds: 2, nanos: 500_000_000)
        #expect(
            EffectiveRestartPolicy.resolve(task: task, group: group, jobType: .service)
                == EffectiveRestartPolicy(
                    attempts: 1, interval: .seconds(600), delay: .milliseconds(2500), mode: .delay))
        #expect(
            EffectiveRestartPolicy.resolve(task: Caravan_V1_Task(), group: Caravan_V1_TaskGroup(), jobType: .batch)
                == .defaults(for: .batch))
    }

    @Test("a service task is restarted even when it exits 0")
    func serviceSuccessRestarts() {
        #expect(run(service, [(1, exitSuccess)]) == [withinPolicy])
    }

    @Test("a batch task exiting 0 is complete: not restarted, not failed")
    func batchSuccessCompletes() {
        let batch = EffectiveRestartPolicy.defaults(for: .batch)
        #expect(
            run(batch, jobType: .batch, [(1, exitSuccess)]) == [
                .stop(failed: false, reason: "Restart unnecessary as task terminated successfully")
            ])
        #expect(run(batch, jobType: .batch, [(1, exitFailure)]) == [withinPolicy])
        // Killed by a signal or for memory is a failure even with exit code 0.
        #expect(run(batch, jobType: .batch, [(1, .exited(code: 0, signal: 9))]) == [withinPolicy])
        #expect(run(batch, jobType: .batch, [(1, .exited(code: 0, oomKilled: true))]) == [withinPolicy])
        #expect(run(batch, jobType: .batch, [(1, .exited(code: 0, error: "executor died"))]) == [withinPolicy])
    }

    @Test("mode fail: attempts exhausted within the interval stops the task as failed")
    func modeFail() {
        let failed = RestartDecision.stop(
            failed: true, reason: "Exceeded allowed attempts 2 in interval 30m0s and mode is \"fail\"")
        #expect(
            run(service, [(10, exitFailure), (40, exitFailure), (70, exitFailure)]) == [
                withinPolicy, withinPolicy, failed,
            ])
        let batch = EffectiveRestartPolicy.defaults(for: .batch)
        let batchFailed = RestartDecision.stop(
            failed: true, reason: "Exceeded allowed attempts 3 in interval 24h0m0s and mode is \"fail\"")
        #expect(
            run(batch, jobType: .batch, [(1, exitFailure), (2, exitFailure), (3, exitFailure), (4, exitFailure)]) == [
                withinPolicy, withinPolicy, withinPolicy, batchFailed,
            ])
    }

    @Test("restarts are counted per interval: a new interval resets the count")
    func intervalResets() {
        // Interval 30m = 1800s, measured from the tracker's start, then from the first exit after it ended.
        let events = [(100, exitFailure), (200, exitFailure), (1801, exitFailure), (1900, exitFailure)]
        #expect(run(service, events) == [withinPolicy, withinPolicy, withinPolicy, withinPolicy])
        let failed = RestartDecision.stop(
            failed: true, reason: "Exceeded allowed attempts 2 in interval 30m0s and mode is \"fail\"")
        #expect(run(service, events + [(2000, exitFailure)]).last == failed)
    }

    @Test("mode delay: once attempts are used, wait until the interval ends, then start counting again")
    func modeDelay() {
        var policy = service
        policy.mode = .delay
        policy.interval = .seconds(300)
        let decisions = run(policy, [(10, exitFailure), (50, exitFailure), (100, exitFailure), (301, exitFailure)])
        #expect(
            decisions == [
                withinPolicy, withinPolicy,
                .restart(after: .seconds(200), reason: "Exceeded allowed attempts, applying a delay"),
                withinPolicy,
            ])
    }

    @Test("start failures count as failures; unrecoverable ones are never retried")
    func startFailures() {
        let failed = RestartDecision.stop(
            failed: true, reason: "Exceeded allowed attempts 2 in interval 30m0s and mode is \"fail\"")
        let outcome = TaskOutcome.startFailed("exec: not found")
        #expect(run(service, [(1, outcome), (2, outcome), (3, outcome)]) == [withinPolicy, withinPolicy, failed])
        #expect(
            run(service, [(1, .startFailed("bad config", recoverable: false))]) == [
                .stop(failed: true, reason: "Error was unrecoverable")
            ])
        let batch = EffectiveRestartPolicy.defaults(for: .batch)
        #expect(run(batch, jobType: .batch, [(1, outcome)]) == [withinPolicy])
    }

    @Test("attempts = 0 never restarts; a batch success still completes without failing")
    func noAttempts() {
        var policy = service
        policy.attempts = 0
        #expect(run(policy, [(1, exitSuccess)]) == [.stop(failed: true, reason: "Policy allows no restarts")])
        #expect(run(policy, [(1, exitFailure)]) == [.stop(failed: true, reason: "Policy allows no restarts")])
        #expect(
            run(policy, jobType: .batch, [(1, exitSuccess)]) == [
                .stop(failed: false, reason: "Policy allows no restarts")
            ])
    }

    @Test(
        "lifecycle hooks: ephemeral prestart/poststart and poststop complete on success; sidecars restart",
        arguments: [
            (Caravan_V1_TaskLifecycle.Hook.prestart, false, false),
            (.prestart, true, true),
            (.poststart, false, false),
            (.poststart, true, true),
            (.poststop, false, false),
            (.poststop, true, false),
        ] as [(Caravan_V1_TaskLifecycle.Hook, Bool, Bool)])
    func lifecycleHooks(hook: Caravan_V1_TaskLifecycle.Hook, sidecar: Bool, restarts: Bool) {
        var lifecycle = Caravan_V1_TaskLifecycle()
        lifecycle.hook = hook
        lifecycle.sidecar = sidecar
        let decision = run(service, lifecycle: lifecycle, [(1, exitSuccess)])
        #expect(
            decision == [
                restarts
                    ? withinPolicy : .stop(failed: false, reason: "Restart unnecessary as task terminated successfully")
            ])
    }

    @Test("jitter adds at most 25% of the delay, drawn from the injected source")
    func jitter() {
        var tracker = RestartTracker(policy: service, jobType: .service, start: .now)
        var largest = FixedRandom(value: .max)
        #expect(
            tracker.decide(exitFailure, at: .now, using: &largest)
                == .restart(after: .nanoseconds(18_749_999_999), reason: "Restart within policy"))

        var seeded = SplitMix64(seed: 42)
        for _ in 0..<50 {
            var fresh = RestartTracker(policy: service, jobType: .service, start: .now)
            guard case .restart(let after, _) = fresh.decide(exitFailure, at: .now, using: &seeded) else {
                Issue.record("expected a restart")
                return
            }
            #expect(after >= .seconds(15) && after < .milliseconds(18_750))
        }
    }

    @Test(
        "durations print as Go prints them",
        arguments: [
            (Duration.seconds(1800), "30m0s"), (.seconds(86400), "24h0m0s"), (.seconds(15), "15s"),
            (.milliseconds(1500), "1.5s"), (.seconds(5400), "1h30m0s"), (.milliseconds(250), "250ms"),
            (.zero, "0s"), (.seconds(90), "1m30s"), (.nanoseconds(1500), "1.5µs"), (.nanoseconds(7), "7ns"),
        ] as [(Duration, String)])
    func goDurations(duration: Duration, text: String) {
        #expect(goDurationString(duration) == text)
    }
}

/// A small seeded generator for repeatable tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
