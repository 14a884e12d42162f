import CaravanProto
import CaravanRPC
import Foundation
import Raft
import SwiftProtobuf

/// Converts between the Raft core's messages and their protobuf form on the wire.
///
/// Decoding is where a malformed peer message is caught: anything inconsistent becomes a `CaravanError`
/// (logged by the caller) and is never stepped into the core.
enum RaftWireFormat {
    static func encode(_ message: Raft.Message) -> Caravan_V1_RaftMessage {
        var wire = Caravan_V1_RaftMessage()
        wire.from = message.from
        wire.to = message.to
        wire.term = message.term
        switch message.kind {
        case .preVote(let lastIndex, let lastTerm):
            wire.preVote = voteRequest(lastIndex, lastTerm, transfer: false)
        case .preVoteResponse(let granted):
            wire.preVoteResponse = .with { $0.granted = granted }
        case .requestVote(let lastIndex, let lastTerm, let transfer):
            wire.requestVote = voteRequest(lastIndex, lastTerm, transfer: transfer)
        case .requestVoteResponse(let granted):
            wire.requestVoteResponse = .with { $0.granted = granted }
        case .appendEntries(let prevIndex, let prevTerm, let entries, let commit):
            wire.append = .with {
                $0.prevLogIndex = prevIndex
                $0.prevLogTerm = prevTerm
                $0.entries = entries.map(encode)
                $0.leaderCommit = commit
            }
        case .appendEntriesResponse(let success, let matchIndex, let hint):
            wire.appendResponse = .with {
                $0.success = success
                $0.matchIndex = matchIndex
                if let hint {
                    $0.hasHint_p = true
                    $0.hintIndex = hint.index
                    $0.hintTerm = hint.term
                }
            }
        case .heartbeat(let commit, let readContext):
            wire.heartbeat = .with {
                $0.commit = commit
                $0.readContext = readContext
            }
        case .heartbeatResponse(let readContext):
            wire.heartbeatResponse = .with { $0.readContext = readContext }
        case .readIndex(let context):
            wire.readIndex = .with { $0.readContext = context }
        case .readIndexResponse(let context, let index):
            wire.readIndexResponse = .with {
                $0.readContext = context
                $0.index = index
            }
        case .timeoutNow:
            wire.timeoutNow = Caravan_V1_RaftTimeoutNow()
        case .snapshot:
            // Snapshots travel on their own stream (InstallSnapshot); the transport never encodes this kind.
            break
        }
        return wire
    }

    static func decode(_ wire: Caravan_V1_RaftMessage) throws(CaravanError) -> Raft.Message {
        guard let kind = wire.kind else {
            throw .invalidArgument("raft message from \(wire.from) has no kind")
        }
        let decoded: Raft.Message.Kind
        switch kind {
        case .preVote(let vote):
            decoded = .preVote(lastIndex: vote.lastLogIndex, lastTerm: vote.lastLogTerm)
        case .preVoteResponse(let response):
            decoded = .preVoteResponse(granted: response.granted)
        case .requestVote(let vote):
            decoded = .requestVote(
                lastIndex: vote.lastLogIndex, lastTerm: vote.lastLogTerm, transfer: vote.leadershipTransfer)
        case .requestVoteResponse(let response):
            decoded = .requestVoteResponse(granted: response.granted)
        case .append(let append):
            var entries: [Entry] = []
            entries.reserveCapacity(append.entries.count)
            for entry in append.entries {
                entries.append(try decode(entry))
            }
            decoded = .appendEntries(
                prevIndex: append.prevLogIndex, prevTerm: append.prevLogTerm, entries: entries,
                commit: append.leaderCommit)
        case .appendResponse(let response):
            let hint =
                response.hasHint_p ? Raft.Message.RejectHint(index: response.hintIndex, term: response.hintTerm) : nil
            decoded = .appendEntriesResponse(
                success: response.success, matchIndex: response.matchIndex, rejectHint: hint)
        case .heartbeat(let heartbeat):
            decoded = .heartbeat(commit: heartbeat.commit, readContext: heartbeat.readContext)
        case .heartbeatResponse(let response):
            decoded = .heartbeatResponse(readContext: response.readContext)
        case .readIndex(let request):
            decoded = .readIndex(context: request.readContext)
        case .readIndexResponse(let response):
            decoded = .readIndexResponse(context: response.readContext, index: response.index)
        case .timeoutNow:
            decoded = .timeoutNow
        }
        return Raft.Message(from: wire.from, to: wire.to, term: wire.term, kind: decoded)
    }

    static func encode(_ entry: Entry) -> Caravan_V1_LogEntry {
        .with {
            $0.index = entry.index
            $0.term = entry.term
            $0.type = Caravan_V1_LogEntry.EntryType(rawValue: Int(entry.kind.encodedType)) ?? .unspecified
            $0.data = Data(entry.kind.encodedData)
        }
    }

    static func decode(_ wire: Caravan_V1_LogEntry) throws(CaravanError) -> Entry {
        guard (1...255).contains(wire.type.rawValue) else {
            throw .invalidArgument("log entry \(wire.index): unknown entry type \(wire.type.rawValue)")
        }
        do {
            let kind = try Entry.Kind(type: UInt8(wire.type.rawValue), data: [UInt8](wire.data))
            return Entry(term: wire.term, index: wire.index, kind: kind)
        } catch {
            throw .invalidArgument("log entry \(wire.index): \(error)")
        }
    }

    private static func voteRequest(_ lastIndex: Index, _ lastTerm: Term, transfer: Bool) -> Caravan_V1_RaftVoteRequest
    {
        .with {
            $0.lastLogIndex = lastIndex
            $0.lastLogTerm = lastTerm
            $0.leadershipTransfer = transfer
        }
    }
}
