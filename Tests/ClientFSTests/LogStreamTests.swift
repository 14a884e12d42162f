import CaravanProto
import CaravanRPC
import Foundation
import Testing

@testable import ClientFS

@Suite("ClientFS Logs reads across rotated log files", .timeLimit(.minutes(1)))
struct LogStreamTests {
    static func request(
        _ bed: FSTestBed, task: String = "web", type: Caravan_V1_LogType = .stdout, follow: Bool,
        origin: Caravan_V1_StreamOrigin = .start, offset: Int64 = 0, plain: Bool = false
    ) -> Caravan_V1_StreamLogsRequest {
        .with {
            $0.allocID = bed.alloc.allocID
            $0.task = task
            $0.type = type
            $0.follow = follow
            $0.origin = origin
            $0.offset = offset
            $0.plain = plain
        }
    }

    @Test("following moves from .0 to .1 once .1 appears, after draining .0; frames name their file")
    func followRotation() async throws {
        let bed = try FSTestBed()
        try bed.append("alloc/logs/web.stdout.0", "zero\n")
        try await bed.withClientFS { fs in
            try await fs.logs(Self.request(bed, follow: true)) { response in
                var frames = FrameReader(response)
                let first = try await frames.nextContent()
                #expect(first.text == "zero\n" && first.file == "alloc/logs/web.stdout.0")
                try bed.append("alloc/logs/web.stdout.0", "last of zero\n")
                try bed.append("alloc/logs/web.stdout.1", "one\n")
                let drained = try await frames.nextContent()
                #expect(drained.text == "last of zero\n" && drained.file == "alloc/logs/web.stdout.0")
                let next = try await frames.nextContent()
                #expect(next.text == "one\n" && next.file == "alloc/logs/web.stdout.1" && next.offset == 0)
                try bed.append("alloc/logs/web.stdout.1", "more\n")
                let more = try await frames.nextContent()
                #expect(more.text == "more\n" && more.offset == 4)
            }
        }
    }

    @Test("origin start begins at the lowest index still present and reads every file in order, then ends")
    func fromStart() async throws {
        let bed = try FSTestBed()
        try bed.append("alloc/logs/web.stderr.2", "two\n")
        try bed.append("alloc/logs/web.stderr.3", "three\n")
        try bed.append("alloc/logs/web.stderr.10", "ten\n")
        try bed.append("alloc/logs/web.stdout.3", "not stderr\n")
        try bed.append("alloc/logs/db.stderr.3", "not web\n")
        let frames = try await bed.withClientFS { fs in
            try await fs.logs(Self.request(bed, type: .stderr, follow: false)) { response in
                var frames: [Caravan_V1_FileChunk] = []
                for try await frame in response.messages { frames.append(frame) }
                return frames
            }
        }
        #expect(frames.map(\.text) == ["two\n", "three\n", "ten\n"])
        #expect(
            frames.map(\.file) == ["alloc/logs/web.stderr.2", "alloc/logs/web.stderr.3", "alloc/logs/web.stderr.10"])
    }

    @Test("origin end counts the offset back across files")
    func fromEnd() async throws {
        let bed = try FSTestBed()
        try bed.append("alloc/logs/web.stdout.0", "aaaa")
        try bed.append("alloc/logs/web.stdout.1", "bbbb")
        try bed.append("alloc/logs/web.stdout.2", "cc")
        let frames = try await bed.withClientFS { fs in
            try await fs.logs(Self.request(bed, follow: false, origin: .end, offset: 4)) { response in
                var frames: [Caravan_V1_FileChunk] = []
                for try await frame in response.messages { frames.append(frame) }
                return frames
            }
        }
        #expect(frames.map(\.text) == ["bb", "cc"])
        #expect(frames.map(\.offset) == [2, 0])
        #expect(frames.map(\.file) == ["alloc/logs/web.stdout.1", "alloc/logs/web.stdout.2"])
    }

    @Test("a followed task without logs yet sends heartbeats until its first file appears, then reads it")
    func waitsForFirstFile() async throws {
        let bed = try FSTestBed()
        let settings = ClientFSService.Settings(pollInterval: .milliseconds(10), heartbeatInterval: .milliseconds(10))
        try await bed.withClientFS(settings) { fs in
            try await fs.logs(Self.request(bed, task: "db", follow: true)) { response in
                var frames = FrameReader(response)
                let beat = try await frames.next()
                #expect(beat.data.isEmpty && beat.fileEvent == .unspecified, "the server is waiting")
                try bed.append("alloc/logs/db.stdout.0", "started\n")
                let first = try await frames.nextContent()
                #expect(first.text == "started\n" && first.file == "alloc/logs/db.stdout.0")
            }
        }
    }

    @Test("plain streams carry data only: no heartbeats, even when they are due all the time")
    func plain() async throws {
        let bed = try FSTestBed()
        try bed.append("alloc/logs/web.stdout.0", "one\n")
        let settings = ClientFSService.Settings(pollInterval: .milliseconds(5), heartbeatInterval: .milliseconds(1))
        try await bed.withClientFS(settings) { fs in
            try await fs.logs(Self.request(bed, follow: true, plain: true)) { response in
                var frames = FrameReader(response)
                let first = try await frames.next()
                try bed.append("alloc/logs/web.stdout.0", "two\n")
                let second = try await frames.next()
                #expect([first.text, second.text] == ["one\n", "two\n"])
            }
        }
    }

    @Test("a log file replaced by a link out of the allocation is not read")
    func linkedLogRefused() async throws {
        let bed = try FSTestBed()
        try FileManager.default.createSymbolicLink(
            atPath: bed.alloc.path + "/alloc/logs/web.stdout.0", withDestinationPath: "/etc/hostname")
        let failure = await FSTestBed.failure {
            try await bed.withClientFS { fs in
                try await fs.logs(Self.request(bed, follow: false)) { response in
                    for try await _ in response.messages {}
                }
            }
        }
        #expect(failure?.code == .permissionDenied, "\(String(describing: failure))")
    }
}
