import CaravanProto
import SwiftProtobuf

/// A JSON value whose object keys keep the order they were written in, so output reads like Consul's
/// (`Kind` and `Name` first) and is stable from run to run.
enum OrderedJSON: Sendable {
    case string(String)
    /// Already rendered as JSON number text.
    case number(String)
    case bool(Bool)
    case array([OrderedJSON])
    case object([(String, OrderedJSON)])

    /// Indented with four spaces per level, as `consul config read` prints.
    func rendered(indent: String = "") -> String {
        let inner = indent + "    "
        switch self {
        case .string(let text): return Self.quoted(text)
        case .number(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .array(let elements):
            guard !elements.isEmpty else { return "[]" }
            let lines = elements.map { inner + $0.rendered(indent: inner) }
            return "[\n" + lines.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let members):
            guard !members.isEmpty else { return "{}" }
            let lines = members.map { inner + Self.quoted($0.0) + ": " + $0.1.rendered(indent: inner) }
            return "{\n" + lines.joined(separator: ",\n") + "\n" + indent + "}"
        }
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func integer(_ value: some BinaryInteger) -> OrderedJSON { .number("\(value)") }

    /// The shortest decimal that reads back as the same `Float` (`90`, `33.33`).
    static func float(_ value: Float) -> OrderedJSON {
        let text = "\(value)"
        return .number(text.hasSuffix(".0") ? String(text.dropLast(2)) : text)
    }

    /// A duration as Go writes it (`5s`, `1m30s`, `1.5s`, `250ms`), which Consul's JSON uses.
    static func duration(_ duration: Google_Protobuf_Duration) -> OrderedJSON {
        .string(GoDurationText.text(duration))
    }
}

/// Builds an object, leaving out members whose value is the proto default, so output stays as short as
/// what a person would write.
struct OrderedJSONObject {
    private(set) var members: [(String, OrderedJSON)] = []

    mutating func add(_ key: String, _ value: OrderedJSON) { members.append((key, value)) }

    mutating func add(_ key: String, _ text: String) {
        if !text.isEmpty { members.append((key, .string(text))) }
    }

    mutating func add(_ key: String, _ flag: Bool) {
        if flag { members.append((key, .bool(true))) }
    }

    mutating func add(_ key: String, _ number: some BinaryInteger) {
        if number != 0 { members.append((key, .integer(number))) }
    }

    mutating func add(_ key: String, strings: [String]) {
        if !strings.isEmpty { members.append((key, .array(strings.map(OrderedJSON.string)))) }
    }

    /// A string map with its keys sorted; left out when empty.
    mutating func add(_ key: String, map: [String: String]) {
        guard !map.isEmpty else { return }
        members.append((key, .object(map.keys.sorted().map { ($0, .string(map[$0] ?? "")) })))
    }

    mutating func add(_ key: String, _ duration: Google_Protobuf_Duration, present: Bool) {
        if present { members.append((key, .duration(duration))) }
    }

    var json: OrderedJSON { .object(members) }
}

/// Go's `time.Duration.String()` form, falling back to whole units (`1s1ns`) when a decimal fraction would not
/// read back to the same nanosecond. Consul prints durations this way, so Caravan's output does too.
public enum GoDurationText {
    /// `5s`, `1m30s`, `1.5s`, `250ms`; reads back with `DurationText.nanoseconds` to the same value.
    public static func text(nanoseconds: Int64) -> String {
        let preferred = goStyle(nanoseconds)
        if case .success(let parsed) = DurationText.nanoseconds(preferred), parsed == nanoseconds { return preferred }
        return wholeUnits(nanoseconds)
    }

    /// A protobuf duration in the same form.
    public static func text(_ duration: Google_Protobuf_Duration) -> String {
        text(nanoseconds: duration.seconds &* 1_000_000_000 &+ Int64(duration.nanos))
    }

    /// Exactly Go's `time.Duration.String()` ("30m0s", "24h0m0s", "1.5s", "250ms"), as Nomad's messages print it.
    public static func goStyle(_ nanoseconds: Int64) -> String {
        if nanoseconds == 0 { return "0s" }
        let sign = nanoseconds < 0 ? "-" : ""
        let magnitude = nanoseconds.magnitude
        if magnitude < 1_000 { return "\(sign)\(magnitude)ns" }
        if magnitude < 1_000_000 { return sign + decimal(magnitude, unit: 1_000) + "µs" }
        if magnitude < 1_000_000_000 { return sign + decimal(magnitude, unit: 1_000_000) + "ms" }
        let hours = magnitude / 3_600_000_000_000
        let minutes = magnitude / 60_000_000_000 % 60
        let seconds = decimal(magnitude % 60_000_000_000, unit: 1_000_000_000) + "s"
        if hours > 0 { return "\(sign)\(hours)h\(minutes)m\(seconds)" }
        if minutes > 0 { return "\(sign)\(minutes)m\(seconds)" }
        return sign + seconds
    }

    /// `value / unit` with the fraction's trailing zeros removed: `1.5`, `250`.
    static func decimal(_ value: UInt64, unit: UInt64) -> String {
        let whole = value / unit
        var fraction = String(value % unit)
        guard fraction != "0" else { return "\(whole)" }
        let width = String(unit).count - 1
        fraction = String(repeating: "0", count: width - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(whole).\(fraction)"
    }

    static func wholeUnits(_ nanoseconds: Int64) -> String {
        var rest = nanoseconds.magnitude
        var text = nanoseconds < 0 ? "-" : ""
        let units: [(String, UInt64)] = [
            ("h", 3_600_000_000_000), ("m", 60_000_000_000), ("s", 1_000_000_000), ("ms", 1_000_000),
            ("us", 1_000), ("ns", 1),
        ]
        for (name, size) in units where rest >= size {
            text += "\(rest / size)\(name)"
            rest %= size
        }
        return text
    }
}
