import Foundation
import Testing

@testable import ClientFS

@Suite("content type sniffing")
struct ContentSnifferTests {
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
    static let webp: [UInt8] = Array("RIFF".utf8) + [0x24, 0, 0, 0] + Array("WEBPVP8 ".utf8)

    @Test(
        "leading bytes decide the type, not the name",
        arguments: [
            (png, "image/png"),
            ([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], "image/jpeg"),
            (Array("GIF89a\u{01}\u{00}".utf8), "image/gif"),
            (Array("GIF87a".utf8), "image/gif"),
            (webp, "image/webp"),
            (Array("<svg xmlns=\"http://www.w3.org/2000/svg\"/>".utf8), "image/svg+xml"),
            (Array("<?xml version=\"1.0\"?>\n<svg width=\"1\"></svg>".utf8), "image/svg+xml"),
            (Array("<?xml version=\"1.0\"?>\n<config/>".utf8), "text/plain; charset=utf-8"),
            (Array("  {\"a\": [1, 2]}\n".utf8), "application/json"),
            (Array("[1, 2, 3]".utf8), "application/json"),
            (Array("{not json".utf8), "text/plain; charset=utf-8"),
            (Array("héllo wörld\n".utf8), "text/plain; charset=utf-8"),
            (Array("\u{1B}[32mgreen\u{1B}[0m\r\n".utf8), "text/plain; charset=utf-8"),
            ([], "text/plain; charset=utf-8"),
            ([0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0], "application/octet-stream"),
            ([0x61, 0x00, 0x62], "application/octet-stream"),
            ([0xC3, 0x28], "application/octet-stream"),
        ] as [([UInt8], String)])
    func sniff(bytes: [UInt8], expected: String) {
        #expect(ContentSniffer.sniff(bytes, complete: true) == expected)
    }

    @Test("a long file is judged by its start: JSON that continues, UTF-8 cut mid-character")
    func prefixes() {
        let json = Array("{\"items\": [".utf8) + Array(repeating: UInt8(ascii: "1"), count: 5000)
        #expect(ContentSniffer.sniff(json, complete: false) == "application/json")
        let text = Array(String(repeating: "ä", count: 3000).utf8)  // 6000 bytes; 4096 cuts a character
        #expect(ContentSniffer.sniff(text, complete: false) == "text/plain; charset=utf-8")
    }

    @Test("a file's type is read from disk, whatever its extension")
    func fromDisk() throws {
        let path = NSTemporaryDirectory() + "sniff-\(UUID().uuidString).txt"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(Self.png).write(to: URL(fileURLWithPath: path))
        #expect(ContentSniffer.sniff(fileAt: path) == "image/png")
    }
}
