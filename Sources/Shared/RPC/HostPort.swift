import Foundation

/// A `host:port` pair as given on the command line (`-address 127.0.0.1:4647`, `-servers a:4647,b:4647`).
public struct HostPort: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`, `[v6]:port`, or a bare host when `defaultPort` is given.
    public init(parsing text: String, defaultPort: Int? = nil) throws(CaravanError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw .invalidArgument("empty address (expected host:port)") }
        var host = trimmed
        var portText: Substring?
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else {
                throw .invalidArgument("invalid address \"\(text)\": missing ']' after IPv6 host")
            }
            host = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
            let rest = trimmed[trimmed.index(after: close)...]
            if rest.hasPrefix(":") {
                portText = rest.dropFirst()
            } else if !rest.isEmpty {
                throw .invalidArgument("invalid address \"\(text)\": expected ':' after ']'")
            }
        } else if let colon = trimmed.lastIndex(of: ":") {
            host = String(trimmed[..<colon])
            portText = trimmed[trimmed.index(after: colon)...]
        }
        guard !host.isEmpty else { throw .invalidArgument("invalid address \"\(text)\": missing host") }
        let port: Int
        if let portText {
            guard let parsed = Int(portText), (0...65535).contains(parsed) else {
                throw .invalidArgument("invalid address \"\(text)\": port must be a number from 0 to 65535")
            }
            port = parsed
        } else if let defaultPort {
            port = defaultPort
        } else {
            throw .invalidArgument("invalid address \"\(text)\": missing port (expected host:port)")
        }
        self.init(host: host, port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Parses a comma-separated list, e.g. the value of `-servers` or `-join`.
    public static func list(parsing text: String, defaultPort: Int) throws(CaravanError) -> [HostPort] {
        var result: [HostPort] = []
        for part in text.split(separator: ",") where !part.trimmingCharacters(in: .whitespaces).isEmpty {
            result.append(try HostPort(parsing: String(part), defaultPort: defaultPort))
        }
        return result
    }
}
