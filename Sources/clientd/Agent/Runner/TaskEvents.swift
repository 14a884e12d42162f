import CaravanProto
import Foundation
import SwiftProtobuf
import TaskExecutor

/// The task events clientd reports, named and worded as Nomad's so operators read familiar histories.
enum TaskEvents {
    static func make(_ type: String, _ display: String, at time: Date = Date()) -> Caravan_V1_TaskEvent {
        Caravan_V1_TaskEvent.with {
            $0.type = type
            $0.time = Google_Protobuf_Timestamp(date: time)
            $0.displayMessage = display
        }
    }

    /// Nomad's event when the health watcher finds the allocation unhealthy, on each of its tasks.
    static func allocUnhealthy(_ reason: String) -> Caravan_V1_TaskEvent { make("Alloc Unhealthy", reason) }

    static func received() -> Caravan_V1_TaskEvent { make("Received", "Task received by client") }

    static func setup() -> Caravan_V1_TaskEvent { make("Task Setup", "Building Task Directory") }

    static func started() -> Caravan_V1_TaskEvent { make("Started", "Task started by client") }

    static func setupFailure(_ reason: String) -> Caravan_V1_TaskEvent {
        var event = make("Setup Failure", reason)
        event.setupError = reason
        return event
    }

    static func driverFailure(_ reason: String) -> Caravan_V1_TaskEvent {
        var event = make("Driver Failure", reason)
        event.driverError = reason
        return event
    }

    static func terminated(_ exit: TaskExit) -> Caravan_V1_TaskEvent {
        var text = "Exit Code: \(exit.exitCode)"
        if exit.signal != 0 { text += ", Signal: \(exit.signal)" }
        if exit.oomKilled { text += ", OOM Killed" }
        if let error = exit.error { text += ", Exit Message: \"\(error)\"" }
        var event = make("Terminated", text, at: exit.finishedAt)
        event.exitCode = exit.exitCode
        event.signal = exit.signal
        if exit.oomKilled { event.details["oom_killed"] = "true" }
        if let error = exit.error { event.message = error }
        return event
    }

    static func restarting(after delay: Duration, reason: String) -> Caravan_V1_TaskEvent {
        var event = make("Restarting", "\(reason) - Task restarting in \(goDurationString(delay))")
        event.restartReason = reason
        return event
    }

    static func notRestarting(_ reason: String) -> Caravan_V1_TaskEvent { make("Not Restarting", reason) }

    static func killing(signal: String, timeout: Duration) -> Caravan_V1_TaskEvent {
        var event = make(
            "Killing", "Sent \(signal). Waiting \(goDurationString(timeout)) before force killing")
        event.killTimeout = Google_Protobuf_Duration(
            seconds: timeout.components.seconds, nanos: Int32(timeout.components.attoseconds / 1_000_000_000))
        return event
    }

    static func killed() -> Caravan_V1_TaskEvent { make("Killed", "Task successfully killed") }

    static func siblingFailed(_ sibling: String) -> Caravan_V1_TaskEvent {
        var event = make("Sibling Task Failed", "Task's sibling \"\(sibling)\" failed")
        event.failedSibling = sibling
        return event
    }

    static func leaderDead() -> Caravan_V1_TaskEvent {
        make("Leader Task Dead", "Leader Task in Group dead")
    }
}
