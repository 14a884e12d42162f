import CaravanProto
import CaravanRPC
import Foundation
import Testing

@testable import ClientFS

@Suite("ClientFS Stream follows a file", .timeLimit(.minutes(1)))
struct FileStreamTests {
    static func request(_ bed: FSTestBed, _ path: String, follow: Bool = true) -> Caravan_V1_StreamFileRequest {
        .with {
            $0.allocID = bed.alloc.allocID
            $0.path = path
            $0.follow = follow
        }
    }

    @Test("a followed file sends what is there, then each append, at the offset it was written")
    func followAppends() async throws {
        let bed = try FSTestBed()
        try bed.append("alloc/data/app.log", "first\n")
        try await bed.withClientFS { fs in
            try await fs.stream(Self.request(bed, "alloc/data/app.log")) { response in
                var frames = FrameReader(response)
                let first = try await frames.nextContent()
                #expect(first.text == "first\n" && first.offset == 0 && first.file == "alloc/data/app.log")
                try bed.append("alloc/data/app.log", "second\n")
                let second = try await frames.nextContent()
                #expect(second.text == "second\n" && second.offset == 6)
                try bed.append("alloc/data/app.log", "third\n")
                #expect(try await frames.nextContent().text == "third\n")
            }
        }
    }

    @Test("a truncated file sends TRUNCATED, then its new content from offset 0")
    func truncation() async throws {
        let bed = try FSTestBed()
        try bed.append("alloc/data/app.log", "a long first line\n")
        let path = bed.alloc.path + "/alloc/data/app.log"
        try await bed.withClientFS { fs in
            try await fs.stream(Self.request(bed, "alloc/data/app.log")) { response in
                var frames = FrameReader(response)
                #expect(try await frames.nextContent().text == "a long first line\n")
                #expect(truncate(path, 0) == 0)
                try bed.append("alloc/data/app.log", "new\n")
                let event = try await frames.nextContent()
                #expect(event.fileEvent == .truncated && event.offset == 0 && event.data.isEmpty)
                let fresh = try await frames.nextContent()
                #expect(fresh.text == "new\n" && fresh.offset == 0)
            }
        }
    }

    @Test("a deleted file sends DELETED and the stream ends")
    func deletion() async throws {
        let bed = try FSTestBed()
        try bed.append("alloc/data/app.log", "bye\n")
        try await bed.withClientFS { fs in
            try await fs.stream(Self.request(bed, "alloc/data/app.log")) { response in
                var frames = FrameReader(response)
                #expect(try await frames.nextContent().text == "bye\n")
                try FileManager.default.removeItem(atPath: bed.alloc.path + "/alloc/data/app.log")
                let event = try await frames.nextContent()
                #expect(event.fileEvent == .deleted && event.file == "alloc/data/app.log")
                #expect(try await frames.ended())
            }
        }
    }

    @Test("an idle followed stream sends empty heartbeat frames at the configured interval")
    func heartbeats() async throws {
        let bed = try FSTestBed()
        try bed.append("alloc/data/quiet.log", "x")
        let settings = ClientFSService.Settings(pollInterval: .milliseconds(10), heartbeatInterval: .milliseconds(50))
        try await bed.withClientFS(settings) { fs in
            try await fs.stream(Self.request(bed, "alloc/data/quiet.log")) { response in
                var frames = FrameReader(response)
                #expect(try await frames.next().text == "x")
                let beat = try await frames.next()
                #expect(beat.data.isEmpty && beat.fileEvent == .unspecified && beat.offset == 1)
            }
        }
    }

    @Test("origin end starts offset bytes before the end; without follow the stream ends at the end of the file")
    func originEnd() async throws {
        let bed = try FSTestBed()
        try bed.append("alloc/data/app.log", "0123456789")
        let frames = try await bed.withClientFS { fs in
            var request = Self.request(bed, "alloc/data/app.log", follow: false)
            request.origin = .end
            request.offset = 4
            return try await fs.stream(request) { response in
                var frames: [Caravan_V1_FileChunk] = []
                for try await frame in response.messages { frames.append(frame) }
                return frames
            }
        }
        #expect(frames.map(\.text) == ["6789"])
        #expect(frames.first?.offset == 6)
    }

    @Test("a client that goes away stops the server's polling loop (the server then shuts down gracefully)")
    func cancellation() async throws {
        let bed = try FSTestBed()
        try bed.append("alloc/data/app.log", "once\n")
        // withClientFS shuts the server down gracefully, which waits for every call: a loop still polling after
        // the client left would hang here until the suite's time limit.
        try await bed.withClientFS { fs in
            try await fs.stream(Self.request(bed, "alloc/data/app.log")) { response in
                var frames = FrameReader(response)
                let first = try await frames.nextContent()
                #expect(first.text == "once\n")
            }
        }
    }
}
