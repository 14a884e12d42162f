import CaravanProto
import SwiftProtobuf

/// The restart policy that applies to one task: the task's own block, else its group's, else Nomad's defaults for
/// the job type. Fields a level leaves unset (no interval or delay, mode unspecified) come from the next level.
struct EffectiveRestartPolicy: Sendable, Equatable {
    enum Mode: String, Sendable, Equatable {
        case fail, delay
    }

    var attempts: Int
    var interval: Duration
    var delay: Duration
    var mode: Mode

    /// Nomad's defaults: batch jobs get 3 attempts in 24h, other jobs 2 in 30m; both wait 15s and then fail.
    static func defaults(for jobType: Caravan_V1_JobType) -> EffectiveRestartPolicy {
        switch jobType {
        case .batch:
            EffectiveRestartPolicy(attempts: 3, interval: .seconds(24 * 3600), delay: .seconds(15), mode: .fail)
        default: EffectiveRestartPolicy(attempts: 2, interval: .seconds(30 * 60), delay: .seconds(15), mode: .fail)
        }
    }

    static func resolve(
        task: Caravan_V1_Task, group: Caravan_V1_TaskGroup, jobType: Caravan_V1_JobType
    ) -> EffectiveRestartPolicy {
        var policy = defaults(for: jobType)
        if group.hasRestartPolicy { policy.overlay(group.restartPolicy) }
        if task.hasRestartPolicy { policy.overlay(task.restartPolicy) }
        return policy
    }

    private mutating func overlay(_ proto: Caravan_V1_RestartPolicy) {
        attempts = Int(max(0, proto.attempts))
        if proto.hasInterval { interval = swiftDuration(proto.interval) }
        if proto.hasDelay { delay = swiftDuration(proto.delay) }
        switch proto.mode {
        case .fail: mode = .fail
        case .delay: mode = .delay
        case .unspecified, .UNRECOGNIZED: break
        }
    }
}

/// A protobuf duration as a Swift one (restart delays, kill timeouts, heartbeat TTLs).
func swiftDuration(_ proto: Google_Protobuf_Duration) -> Duration {
    .seconds(proto.seconds) + .nanoseconds(Int64(proto.nanos))
}
