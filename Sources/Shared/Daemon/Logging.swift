import ArgumentParser
import Foundation
import Logging

/// `-log-level` values, with HashiCorp's names (`warn`, not `warning`).
public enum LogLevelOption: String, ExpressibleByArgument, Sendable, CaseIterable {
    case trace, debug, info, warn, error

    public var level: Logger.Level {
        switch self {
        case .trace: .trace
        case .debug: .debug
        case .info: .info
        case .warn: .warning
        case .error: .error
        }
    }
}

/// Daemon log output on stderr, one line per event, flushed per line so files stay current under supervisors.
///
/// Text: `2026-11-26T22:30:01.123Z [INFO]  serverd: listening: address=127.0.0.1:4647`.
/// JSON (`-log-json`): `{"@timestamp":…,"@level":"info","@module":"serverd","@message":"listening","address":…}`.
public struct CaravanLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    let label: String
    let json: Bool

    public init(label: String, level: Logger.Level, json: Bool) {
        self.label = label
        self.logLevel = level
        self.json = json
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Installs the handler for the whole process. Call once, first thing in `main`.
    public static func bootstrap(label: String, level: Logger.Level, json: Bool) -> Logger {
        LoggingSystem.bootstrap { name in CaravanLogHandler(label: name, level: level, json: json) }
        return Logger(label: label)
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        let line = json ? jsonLine(event, all) : textLine(event, all)
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    func textLine(_ event: LogEvent, _ all: Logger.Metadata) -> String {
        let level = "[\(Self.name(event.level).uppercased())]".padding(toLength: 7, withPad: " ", startingAt: 0)
        var line = "\(Self.timestamp()) \(level) \(label): \(event.message)"
        for key in all.keys.sorted() {
            line += " \(key)=\(all[key].map { "\($0)" } ?? "")"
        }
        return line
    }

    func jsonLine(_ event: LogEvent, _ all: Logger.Metadata) -> String {
        var object: [String: String] = [:]
        for (key, value) in all { object[key] = "\(value)" }
        object["@timestamp"] = Self.timestamp()
        object["@level"] = Self.name(event.level)
        object["@module"] = label
        object["@message"] = "\(event.message)"
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func name(_ level: Logger.Level) -> String {
        switch level {
        case .trace: "trace"
        case .debug: "debug"
        case .info, .notice: "info"
        case .warning: "warn"
        case .error, .critical: "error"
        }
    }

    static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
    }
}
