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
        var event = make("Restarting", "\(reason) - Task restarting in \(DurationText.format(delay))")
        event.restartReason = reason
        return event
    }

    static func notRestarting(_ reason: String) -> Caravan_V1_TaskEvent { make("Not Restarting", reason) }

    static func killing(signal: String, timeout: Duration) -> Caravan_V1_TaskEvent {
        var event = make(
            "Killing", "Sent \(signal). Waiting \(DurationText.format(timeout)) before force killing")
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

/// Durations as Go prints them ("15s", "1m30s", "250ms"), the way Nomad's events and messages read.
enum DurationText {
    static func format(_ duration: Duration) -> String {
        let total = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        if total < 1 { return "\(Int((total * 1000).rounded()))ms" }
        var seconds = Int(total.rounded())
        let hours = seconds / 3600
        seconds %= 3600
        let minutes = seconds / 60
        seconds %= 60
        if hours > 0 { return "\(hours)h\(minutes)m\(seconds)s" }
        if minutes > 0 { return "\(minutes)m\(seconds)s" }
        return "\(seconds)s"
    }
}
