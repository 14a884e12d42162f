import CaravanProto
import CaravanRPC
import Foundation

/// A file of an allocation as the follow loops see it: the name frames carry and the path read.
struct FollowedFile: Sendable, Equatable {
    var relative: String
    var absolute: String
}

/// Sends a file's bytes as `FileChunk`s and, when following, what is appended later: TRUNCATED when the file
/// shrinks (then its new content from 0), DELETED when it goes, and empty heartbeat frames while idle. With a
/// `successor` (rotated logs) it moves on to the next file once the current one is drained.
struct FileFollower: Sendable {
    var settings: ClientFSService.Settings
    var follow: Bool
    /// Send TRUNCATED/DELETED frames and heartbeats (false for plain logs).
    var events: Bool
    /// End the stream when the file is deleted (a single file); otherwise wait for a successor (logs).
    var endsOnDelete: Bool

    typealias Send = @Sendable (Caravan_V1_FileChunk) async throws -> Void

    func run(
        _ start: FollowedFile, from cursor: FollowCursor,
        successor: @Sendable (FollowedFile) -> FollowedFile? = { _ in nil },
        send: Send
    ) async throws {
        let clock = ContinuousClock()
        var file = start
        var cursor = cursor
        var lastSent = clock.now
        while true {
            try Task.checkCancellation()
            switch cursor.step(FileAccess.observe(file.absolute)) {
            case .read(let from, let to):
                do {
                    cursor.offset = try await FileAccess.read(
                        file.absolute, shownAs: file.relative, from: from, to: to, chunkSize: settings.chunkSize
                    ) { data, offset in
                        try await send(Self.frame(file, data: data, offset: offset))
                    }
                } catch let error as CaravanError where error.code == .notFound {
                    continue  // removed since it was looked at: the next look says so
                }
                lastSent = clock.now
                // Without follow, stop at the end of what was there (moving through rotated files first).
                if !follow {
                    guard let next = successor(file) else { return }
                    (file, cursor) = (next, FollowCursor())
                }
                continue
            case .truncated:
                if events {
                    try await send(Self.frame(file, offset: 0, event: .truncated))
                    lastSent = clock.now
                }
                continue
            case .deleted:
                if let next = successor(file) {
                    (file, cursor) = (next, FollowCursor())
                    continue
                }
                if endsOnDelete {
                    if events { try await send(Self.frame(file, offset: cursor.offset, event: .deleted)) }
                    return
                }
            case .idle:
                // Drained up to the size just seen; a writer finishes this file before the next appears.
                if let next = successor(file) {
                    // The writer may have appended between the look above and the successor appearing.
                    var probe = cursor
                    if case .read = probe.step(FileAccess.observe(file.absolute)) { continue }
                    (file, cursor) = (next, FollowCursor())
                    continue
                }
            }
            guard follow else { return }
            if events, clock.now - lastSent >= settings.heartbeatInterval {
                try await send(Self.frame(file, offset: cursor.offset))
                lastSent = clock.now
            }
            try await Task.sleep(for: settings.pollInterval)
        }
    }

    static func frame(
        _ file: FollowedFile, data: Data = Data(), offset: Int64, event: Caravan_V1_FileChunk.FileEvent = .unspecified
    ) -> Caravan_V1_FileChunk {
        Caravan_V1_FileChunk.with {
            $0.data = data
            $0.offset = offset
            $0.file = file.relative
            $0.fileEvent = event
        }
    }
}
