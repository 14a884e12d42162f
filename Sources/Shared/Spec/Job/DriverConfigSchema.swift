import SwiftProtobuf

/// The `config` keys of the drivers Caravan runs itself; other drivers' configs pass unchecked to the client.
struct DriverConfigSchema: Sendable {
    enum Kind: Sendable {
        case string
        case strings

        var phrase: String {
            switch self {
            case .string: "a string"
            case .strings: "a list of strings"
            }
        }
    }

    /// Keys in the order they are listed in messages.
    let keys: [(name: String, kind: Kind)]
    let required: Set<String>

    static let schemas: [String: DriverConfigSchema] = [
        "exec": DriverConfigSchema(
            keys: [
                ("command", .string), ("args", .strings), ("work_dir", .string), ("pid_mode", .string),
                ("ipc_mode", .string),
            ],
            required: ["command"]),
        "raw_exec": DriverConfigSchema(
            keys: [("command", .string), ("args", .strings), ("work_dir", .string)], required: ["command"]),
    ]

    /// What is wrong with `config`, each with the key it concerns (nil for the block as a whole).
    func problems(in config: Google_Protobuf_Struct) -> [(key: String?, message: String)] {
        var problems: [(key: String?, message: String)] = []
        let names = keys.map(\.name)
        for key in config.fields.keys.sorted() where !names.contains(key) {
            problems.append((key, "unknown key \(quoted(key)); expected one of: " + names.joined(separator: ", ")))
        }
        for (name, kind) in keys {
            guard let value = config.fields[name] else {
                if required.contains(name) { problems.append((nil, "\(quoted(name)) is required")) }
                continue
            }
            if !Self.matches(value, kind) {
                problems.append((name, "\(quoted(name)) must be \(kind.phrase), but it is \(Self.describe(value))"))
            }
        }
        return problems
    }

    /// `config` with numbers and bools in string-typed keys turned into text, as Nomad's HCL conversion does.
    func normalized(_ config: Google_Protobuf_Struct) -> Google_Protobuf_Struct {
        var result = config
        for (name, kind) in keys {
            guard let value = config.fields[name] else { continue }
            switch kind {
            case .string:
                if let text = Self.text(value) { result.fields[name] = Google_Protobuf_Value(stringValue: text) }
            case .strings:
                guard case .listValue(let list)? = value.kind else { continue }
                let texts = list.values.map { element in
                    Self.text(element).map { Google_Protobuf_Value(stringValue: $0) } ?? element
                }
                result.fields[name] = Google_Protobuf_Value(listValue: Google_Protobuf_ListValue(values: texts))
            }
        }
        return result
    }

    /// The text of a scalar: whole numbers without a fraction, bools as `true`/`false`.
    static func text(_ value: Google_Protobuf_Value) -> String? {
        switch value.kind {
        case .stringValue(let text)?: text
        case .numberValue(let number)?: number.formatted
        case .boolValue(let flag)?: flag ? "true" : "false"
        default: nil
        }
    }

    static func matches(_ value: Google_Protobuf_Value, _ kind: Kind) -> Bool {
        switch (kind, value.kind) {
        case (.string, .stringValue(let text)?): !text.isEmpty
        case (.strings, .listValue(let list)?):
            list.values.allSatisfy { if case .stringValue? = $0.kind { true } else { false } }
        default: false
        }
    }

    static func describe(_ value: Google_Protobuf_Value) -> String {
        switch value.kind {
        case .stringValue(let text)?: text.isEmpty ? "an empty string" : "a string"
        case .numberValue(let number)?: "the number \(number.formatted)"
        case .boolValue(let flag)?: "the bool \(flag)"
        case .listValue?: "a list"
        case .structValue?: "a block"
        case .nullValue?, nil: "null"
        }
    }
}

extension Double {
    /// Whole numbers without a fraction (`8080`, not `8080.0`).
    var formatted: String {
        if let whole = Int64(exactly: self) { return String(whole) }
        return "\(self)"
    }
}
