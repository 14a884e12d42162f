import Foundation
import HCL
import SwiftProtobuf

/// Durations as Nomad and Consul users write them: Go's syntax, `"30s"`, `"1h30m"`, `"250ms"`, `"1.5h"`.
///
/// A bare number is taken as nanoseconds, as Go's JSON encoding of `time.Duration` writes it.
public enum DurationText {
    /// Nanoseconds in `text`, or nil with the reason it is not a duration.
    public static func nanoseconds(_ text: String) -> Result<Int64, DurationError> {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { return .failure(.init("empty duration")) }
        var negative = false
        if rest.first == "-" || rest.first == "+" {
            negative = rest.first == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" { return .success(0) }
        var total: Double = 0
        var sawUnit = false
        while !rest.isEmpty {
            let numberText = rest.prefix { $0.isNumber || $0 == "." }
            guard !numberText.isEmpty, let number = Double(numberText) else {
                return .failure(.init("\"\(text)\" is not a duration (expected e.g. \"30s\", \"5m\", \"1h30m\")"))
            }
            rest = rest.dropFirst(numberText.count)
            let unitText = rest.prefix { !$0.isNumber && $0 != "." }
            rest = rest.dropFirst(unitText.count)
            guard let unit = units[String(unitText)] else {
                let detail = unitText.isEmpty ? "missing unit" : "unknown unit \"\(unitText)\""
                return .failure(.init("\"\(text)\" is not a duration: \(detail) (use ns, us, ms, s, m or h)"))
            }
            total += number * unit
            sawUnit = true
        }
        guard sawUnit, total < 9.2e18 else { return .failure(.init("\"\(text)\" is out of range")) }
        return .success(Int64(negative ? -total : total))
    }

    /// The protobuf form of `nanoseconds`.
    public static func proto(nanoseconds: Int64) -> Google_Protobuf_Duration {
        Google_Protobuf_Duration(seconds: nanoseconds / 1_000_000_000, nanos: Int32(nanoseconds % 1_000_000_000))
    }

    /// Reads a duration attribute (string, or number of nanoseconds) from a body, with a positioned error.
    public static func read(_ reader: BodyReader, _ name: String) throws(Diagnostics) -> Google_Protobuf_Duration? {
        guard let value = try reader.attribute(name), let range = reader.range(of: name) else { return nil }
        switch value {
        case .null:
            return nil
        case .number:
            guard let nanos = value.asInt() else {
                throw Diagnostics(.error("\(name): a duration in nanoseconds must be a whole number", at: range))
            }
            return proto(nanoseconds: Int64(nanos))
        case .string(let text):
            switch nanoseconds(text) {
            case .success(let nanos): return proto(nanoseconds: nanos)
            case .failure(let error): throw Diagnostics(.error("\(name): \(error.message)", at: range))
            }
        default:
            throw Diagnostics(.error("\(name): expected a duration such as \"30s\", got \(value.typeName)", at: range))
        }
    }

    static let units: [String: Double] = [
        "ns": 1, "us": 1e3, "µs": 1e3, "μs": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9,
    ]
}

public struct DurationError: Error, Sendable, Equatable {
    public var message: String
    init(_ message: String) { self.message = message }
}
