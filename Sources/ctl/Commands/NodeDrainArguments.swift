import ArgumentParser
import CaravanProto
import Spec
import SwiftProtobuf

/// The flags of `ctl node drain`, checked together (as `nomad node drain` does) and turned into what to do.
struct NodeDrainArguments: Equatable {
    /// What the flags ask for.
    enum Action: Equatable {
        case enable(Caravan_V1_DrainSpec)
        case disable(markEligible: Bool)
        case monitor
    }

    /// Nomad's default deadline when none is given.
    static let defaultDeadlineSeconds: Int64 = 3600

    var enable = false
    var disable = false
    var monitor = false
    var detach = false
    var deadline: String?
    var noDeadline = false
    var force = false
    var ignoreSystem = false
    var keepIneligible = false

    /// The action, or a `ValidationError` naming the flags that do not go together.
    func action() throws -> Action {
        if monitor && (enable || disable) {
            throw ValidationError("-monitor cannot be combined with -enable or -disable")
        }
        if monitor && detach { throw ValidationError("-monitor cannot be combined with -detach") }
        if !monitor && enable == disable {
            throw ValidationError("give exactly one of -enable or -disable (or -monitor alone)")
        }
        if disable || monitor, deadline != nil || force || noDeadline || (disable && ignoreSystem) {
            throw ValidationError(
                "\(disable ? "-disable" : "-monitor") cannot be combined with -deadline, -force, -no-deadline"
                    + (disable ? " or -ignore-system" : ""))
        }
        if keepIneligible && !disable { throw ValidationError("-keep-ineligible applies only with -disable") }
        if deadline != nil && (force || noDeadline) {
            throw ValidationError("-deadline cannot be combined with -force or -no-deadline")
        }
        if force && noDeadline { throw ValidationError("-force and -no-deadline cannot be combined") }
        if monitor { return .monitor }
        if disable { return .disable(markEligible: !keepIneligible) }
        var spec = Caravan_V1_DrainSpec()
        spec.ignoreSystemJobs = ignoreSystem
        if force {
            spec.force = true
        } else if !noDeadline {
            spec.deadline = try deadlineDuration()
        }
        return .enable(spec)
    }

    /// `-deadline` (a Go duration, positive), or the default hour.
    func deadlineDuration() throws -> Google_Protobuf_Duration {
        guard let deadline else { return Google_Protobuf_Duration(seconds: Self.defaultDeadlineSeconds) }
        switch DurationText.nanoseconds(deadline) {
        case .failure(let error):
            throw ValidationError("-deadline: \(error.message)")
        case .success(let nanos) where nanos <= 0:
            throw ValidationError(
                "-deadline must be positive (got \"\(deadline)\"); use -no-deadline for none or -force to stop "
                    + "every allocation now")
        case .success(let nanos):
            return DurationText.proto(nanoseconds: nanos)
        }
    }
}
