import Foundation

/// Guesses a file's MIME type from its first bytes (never from its name), for the UI to decide how to show it.
public enum ContentSniffer {
    /// How many leading bytes `sniff` looks at.
    public static let sniffLength = 4096

    public static let text = "text/plain; charset=utf-8"
    public static let json = "application/json"
    public static let png = "image/png"
    public static let jpeg = "image/jpeg"
    public static let gif = "image/gif"
    public static let webp = "image/webp"
    public static let svg = "image/svg+xml"
    public static let binary = "application/octet-stream"

    /// The type of content starting with `prefix`; `complete` says whether `prefix` is the whole file.
    public static func sniff(_ prefix: some Collection<UInt8>, complete: Bool) -> String {
        let bytes = Array(prefix.prefix(sniffLength))
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return png }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return jpeg }
        if bytes.starts(with: Array("GIF87a".utf8)) || bytes.starts(with: Array("GIF89a".utf8)) { return gif }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) {
            return webp
        }
        let whole = complete && bytes.count == prefix.count
        guard let decoded = decodeText(bytes, complete: whole) else { return binary }
        let body = decoded.drop { $0.isWhitespace || $0 == "\u{FEFF}" }
        if isSVG(body) { return svg }
        if isJSON(body, text: decoded, complete: whole) { return json }
        return text
    }

    /// The file at `path`, sniffed from its first bytes; nil when it cannot be read.
    static func sniff(fileAt path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: sniffLength + 1)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, sniffLength + 1) }
        guard count >= 0 else { return nil }
        return sniff(buffer[0..<min(count, sniffLength)], complete: count <= sniffLength)
    }

    /// The bytes as text when they are UTF-8 without control characters other than whitespace and escape; a
    /// sequence cut off at the end of an incomplete prefix is allowed.
    static func decodeText(_ bytes: [UInt8], complete: Bool) -> String? {
        // A prefix may end inside a multi-byte sequence: allow up to three dangling bytes.
        let cuts = complete ? [0] : [0, 1, 2, 3]
        guard let cut = cuts.first(where: { String(validating: bytes.dropLast($0), as: UTF8.self) != nil }),
            let text = String(validating: bytes.dropLast(cut), as: UTF8.self)
        else { return nil }
        let usable = bytes.dropLast(cut)
        let allowed: Set<UInt8> = [0x09, 0x0A, 0x0C, 0x0D, 0x1B]
        if usable.contains(where: { ($0 < 0x20 && !allowed.contains($0)) || $0 == 0x7F }) { return nil }
        return text
    }

    static func isSVG(_ body: Substring) -> Bool {
        let head = body.prefix(sniffLength).lowercased()
        if head.hasPrefix("<svg") { return true }
        guard head.hasPrefix("<?xml") || head.hasPrefix("<!doctype svg") || head.hasPrefix("<!--") else {
            return false
        }
        return head.contains("<svg")
    }

    /// JSON: an object or array. A whole file must parse; a longer one must at least start like one.
    static func isJSON(_ body: Substring, text: String, complete: Bool) -> Bool {
        guard let first = body.first, first == "{" || first == "[" else { return false }
        if complete {
            return (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) != nil
        }
        guard let next = body.dropFirst().first(where: { !$0.isWhitespace }) else { return false }
        return first == "{" ? (next == "\"" || next == "}") : "{[\"-0123456789tfn]".contains(next)
    }
}
