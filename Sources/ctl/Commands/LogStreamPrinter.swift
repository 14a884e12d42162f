import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore

/// Prints a task's log from where `ctl alloc logs` asks: the beginning, the last bytes or the last lines,
/// optionally following it.
struct LogStreamPrinter<Transport: ClientTransport>: Sendable {
    let allocations: Caravan_V1_Allocations.Client<Transport>
    let allocID: String
    let task: String
    let type: Caravan_V1_LogType

    func print(from start: AllocLogsCommand.Start, follow: Bool) async throws {
        switch start {
        case .beginning:
            try await stream(origin: .start, offset: 0, follow: follow)
        case .lastBytes(let bytes):
            try await stream(origin: .end, offset: bytes, follow: follow)
        case .lastLines(let lines):
            let bytes = try await bytesOfLastLines(lines)
            try await stream(origin: .end, offset: bytes, follow: follow)
        }
    }

    /// How many bytes from the end hold the last `lines` lines: reads a growing window of the end until it holds
    /// enough lines or the whole log.
    func bytesOfLastLines(_ lines: Int) async throws -> Int64 {
        guard lines > 0 else { return 0 }
        var window = Int64(max(4096, lines * 256))
        while true {
            let data = try await collect(origin: .end, offset: window)
            if AllocFileFormatter.hasLines(data, lines) || Int64(data.count) < window {
                return Int64(AllocFileFormatter.tailLength(of: data, lines: lines))
            }
            window *= 4
        }
    }

    func request(origin: Caravan_V1_StreamOrigin, offset: Int64, follow: Bool) -> Caravan_V1_StreamLogsRequest {
        .with {
            $0.allocID = allocID
            $0.task = task
            $0.type = type
            $0.origin = origin
            $0.offset = offset
            $0.follow = follow
            $0.plain = true
        }
    }

    func collect(origin: Caravan_V1_StreamOrigin, offset: Int64) async throws -> Data {
        try await allocations.logs(request(origin: origin, offset: offset, follow: false)) { response in
            var data = Data()
            for try await chunk in response.messages { data.append(chunk.data) }
            return data
        }
    }

    func stream(origin: Caravan_V1_StreamOrigin, offset: Int64, follow: Bool) async throws {
        let options = follow ? FollowCall.options : .defaults
        try await allocations.logs(request(origin: origin, offset: offset, follow: follow), options: options) {
            response in
            for try await chunk in response.messages where !chunk.data.isEmpty {
                FileHandle.standardOutput.write(chunk.data)
            }
        }
    }
}

/// Call options of followed streams, which have no deadline worth the name: they last until interrupted.
enum FollowCall {
    static var options: CallOptions {
        var options = CallOptions.defaults
        options.timeout = .seconds(365 * 86_400)
        return options
    }
}
