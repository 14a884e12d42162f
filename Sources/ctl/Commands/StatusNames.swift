import CaravanProto
import Foundation
import SwiftProtobuf

/// The lowercase words Nomad's CLI prints for API enums, so output reads the same as `nomad` output.
enum StatusNames {
    static func jobType(_ type: Caravan_V1_JobType) -> String {
        switch type {
        case .service: "service"
        case .batch: "batch"
        case .system: "system"
        case .unspecified, .UNRECOGNIZED: "unknown"
        }
    }

    static func job(_ status: Caravan_V1_JobStatus) -> String {
        switch status {
        case .pending: "pending"
        case .running: "running"
        case .dead: "dead"
        case .unspecified, .UNRECOGNIZED: "unknown"
        }
    }

    static func evaluation(_ status: Caravan_V1_EvaluationStatus) -> String {
        switch status {
        case .pending: "pending"
        case .blocked: "blocked"
        case .complete: "complete"
        case .failed: "failed"
        case .canceled: "canceled"
        case .unspecified, .UNRECOGNIZED: "unknown"
        }
    }

    static func desired(_ status: Caravan_V1_AllocDesiredStatus) -> String {
        switch status {
        case .run: "run"
        case .stop: "stop"
        case .evict: "evict"
        case .unspecified, .UNRECOGNIZED: "unknown"
        }
    }

    static func client(_ status: Caravan_V1_AllocClientStatus) -> String {
        switch status {
        case .pending: "pending"
        case .running: "running"
        case .complete: "complete"
        case .failed: "failed"
        case .lost: "lost"
        case .unknown, .unspecified, .UNRECOGNIZED: "unknown"
        }
    }

    static func node(_ status: Caravan_V1_NodeStatus) -> String {
        switch status {
        case .initializing: "initializing"
        case .ready: "ready"
        case .down: "down"
        case .disconnected: "disconnected"
        case .unspecified, .UNRECOGNIZED: "unknown"
        }
    }

    static func eligibility(_ eligibility: Caravan_V1_SchedulingEligibility) -> String {
        switch eligibility {
        case .eligible: "eligible"
        case .ineligible: "ineligible"
        case .unspecified, .UNRECOGNIZED: "unknown"
        }
    }

    static func task(_ state: Caravan_V1_TaskState.State) -> String {
        switch state {
        case .pending: "pending"
        case .running: "running"
        case .dead: "dead"
        case .unspecified, .UNRECOGNIZED: "unknown"
        }
    }
}

/// How IDs and times appear in human output.
enum DisplayText {
    /// The first 8 characters of an ID, as Nomad's tables show them; the whole ID when `verbose`.
    static func shortID(_ id: String, verbose: Bool = false) -> String {
        verbose ? id : String(id.prefix(8))
    }

    /// `n noun` with a plural `s` when n is not 1 ("1 node", "2 nodes").
    static func count(_ n: some BinaryInteger, _ noun: String) -> String {
        "\(n) \(noun)\(n == 1 ? "" : "s")"
    }

    /// Time since `date` the way Nomad's tables show it: "45s ago", "5m10s ago", "2h3m ago", "3d2h ago".
    static func ago(_ date: Date, now: Date) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        switch seconds {
        case ..<60: return "\(seconds)s ago"
        case ..<3600: return "\(seconds / 60)m\(seconds % 60)s ago"
        case ..<86400: return "\(seconds / 3600)h\(seconds % 3600 / 60)m ago"
        default: return "\(seconds / 86400)d\(seconds % 86400 / 3600)h ago"
        }
    }

    /// Time since a protobuf timestamp, or "-" when the server left it unset.
    static func ago(_ timestamp: Google_Protobuf_Timestamp, now: Date) -> String {
        timestamp.seconds == 0 && timestamp.nanos == 0 ? "-" : ago(timestamp.date, now: now)
    }

    /// RFC 3339 in UTC, or "-" when unset.
    static func time(_ timestamp: Google_Protobuf_Timestamp) -> String {
        timestamp.seconds == 0 && timestamp.nanos == 0 ? "-" : VarFormatter.time(timestamp)
    }
}
