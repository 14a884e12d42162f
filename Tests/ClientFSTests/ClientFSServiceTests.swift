import CaravanProto
import CaravanRPC
import Foundation
import Testing

@testable import ClientFS

@Suite("ClientFS list, stat, cat and read-at over mTLS", .timeLimit(.minutes(1)))
struct ClientFSServiceTests {
    @Test("the allocation root lists sorted entries with modes, sizes, times and content types")
    func listRoot() async throws {
        let bed = try FSTestBed()
        try bed.write("alloc/data/config.json", #"{"port": 8080}"#)
        try bed.write("alloc/data/notes.txt", "hello\n")
        let (root, data) = try await bed.withClientFS { fs in
            (
                try await fs.list(.with { $0.allocID = bed.alloc.allocID }),
                try await fs.list(
                    .with {
                        $0.allocID = bed.alloc.allocID
                        $0.path = "/alloc/data/"
                    })
            )
        }
        #expect(root.files.map(\.name) == ["alloc", "db", "web"])
        #expect(root.files.allSatisfy { $0.isDir && $0.contentType.isEmpty })
        let shared = try #require(root.files.first)
        #expect(shared.mode == "drwxrwxrwx")
        #expect(shared.fileMode == UInt32(S_IFDIR) | 0o777)
        #expect(data.files.map(\.name) == ["config.json", "notes.txt"])
        let json = data.files[0]
        #expect(!json.isDir && json.size == 14 && json.contentType == "application/json")
        #expect(json.mode.hasPrefix("-rw"))
        #expect(abs(Double(json.modTime.seconds) - Date().timeIntervalSince1970) < 60)
        #expect(data.files[1].contentType == "text/plain; charset=utf-8")
    }

    @Test("stat describes one file; the root is named /; a missing file is NOT_FOUND; list of a file is refused")
    func stat() async throws {
        let bed = try FSTestBed()
        try bed.write("web/local/index.html", "<p>hi</p>")
        try await bed.withClientFS { fs in
            let file = try await fs.stat(
                .with {
                    $0.allocID = bed.alloc.allocID
                    $0.path = "web/local/index.html"
                })
            #expect(file.info.name == "index.html" && file.info.size == 9 && !file.info.isDir)
            let root = try await fs.stat(
                .with {
                    $0.allocID = bed.alloc.allocID
                    $0.path = "/"
                })
            #expect(root.info.name == "/" && root.info.isDir)
            let missing = await FSTestBed.failure {
                _ = try await fs.stat(
                    .with {
                        $0.allocID = bed.alloc.allocID
                        $0.path = "web/local/nope"
                    })
            }
            #expect(missing?.code == .notFound)
            #expect(
                missing?.message.contains("\"web/local/nope\" does not exist") == true, "\(String(describing: missing))"
            )
            let notDir = await FSTestBed.failure {
                _ = try await fs.list(
                    .with {
                        $0.allocID = bed.alloc.allocID
                        $0.path = "web/local/index.html"
                    })
            }
            #expect(notDir?.code == .invalidArgument)
        }
    }

    @Test("cat sends a large file in chunks of at most 64 KiB that add up to the file")
    func catChunks() async throws {
        let bed = try FSTestBed()
        let content = String(repeating: "0123456789abcdef", count: 10_000)  // 160,000 bytes
        try bed.write("alloc/data/big.txt", content)
        let frames = try await bed.withClientFS(.init()) { fs in
            try await fs.cat(
                .with {
                    $0.allocID = bed.alloc.allocID
                    $0.path = "alloc/data/big.txt"
                }
            ) { response in
                var frames: [Caravan_V1_FileChunk] = []
                for try await frame in response.messages { frames.append(frame) }
                return frames
            }
        }
        #expect(frames.count == 3)
        #expect(frames.allSatisfy { $0.data.count <= 64 * 1024 && $0.file == "alloc/data/big.txt" })
        #expect(frames.map(\.offset) == [0, 65_536, 131_072])
        #expect(String(decoding: frames.reduce(Data()) { $0 + $1.data }, as: UTF8.self) == content)
    }

    @Test("read-at returns the requested range; limit 0 reads to the end; a directory cannot be read")
    func readAt() async throws {
        let bed = try FSTestBed()
        try bed.write("alloc/data/letters", "abcdefghij")
        try await bed.withClientFS { fs in
            func read(_ offset: Int64, _ limit: Int64) async throws -> String {
                try await fs.readAt(
                    .with {
                        $0.allocID = bed.alloc.allocID
                        $0.path = "alloc/data/letters"
                        $0.offset = offset
                        $0.limit = limit
                    }
                ) { response in
                    var text = ""
                    for try await frame in response.messages { text += frame.text }
                    return text
                }
            }
            let ranges = [try await read(2, 3), try await read(7, 0), try await read(8, 100), try await read(20, 5)]
            #expect(ranges == ["cde", "hij", "ij", ""])
            let negative = await FSTestBed.failure { _ = try await read(-1, 0) }
            #expect(negative?.code == .invalidArgument)
            let directory = await FSTestBed.failure {
                _ = try await fs.readAt(
                    .with {
                        $0.allocID = bed.alloc.allocID
                        $0.path = "alloc/logs"
                    }
                ) { response in for try await _ in response.messages {} }
            }
            #expect(directory?.code == .invalidArgument)
            #expect(directory?.message.contains("is a directory") == true, "\(String(describing: directory))")
        }
    }
}
