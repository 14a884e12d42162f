import SwiftProtobuf

/// Replaces `${...}` references the way Nomad's client does: `${NAME}` for a task variable (e.g. `${NOMAD_PORT_http}`),
/// `${env["NAME"]}` for the same by index, and `${attr.kernel.name}`, `${meta.rack}`, `${node.unique.id}`,
/// `${node.unique.name}`, `${node.datacenter}`, `${node.region}`, `${node.class}`, `${node.pool}` for the node.
/// A reference it cannot resolve is left as written, as Nomad leaves it.
struct Interpolator: Sendable {
    var environment: [String: String]
    var nodeValues: [String: String]

    init(environment: [String: String], nodeValues: [String: String] = [:]) {
        self.environment = environment
        self.nodeValues = nodeValues
    }

    func interpolate(_ text: String) -> String {
        guard text.contains("${") else { return text }
        let characters = Array(text.unicodeScalars)
        var result = String.UnicodeScalarView()
        var index = 0
        while index < characters.count {
            if characters[index] == "$", index + 1 < characters.count, characters[index + 1] == "{",
                let close = characters[(index + 2)...].firstIndex(of: "}")
            {
                let reference = String(String.UnicodeScalarView(characters[(index + 2)..<close]))
                if let value = resolve(reference) {
                    result.append(contentsOf: value.unicodeScalars)
                    index = close + 1
                    continue
                }
            }
            result.append(characters[index])
            index += 1
        }
        return String(result)
    }

    /// The value of one reference (the text between `${` and `}`), or nil to leave it unchanged.
    func resolve(_ reference: String) -> String? {
        if let name = Self.indexedEnvName(reference) {
            return environment[name]
        }
        guard !reference.isEmpty, reference.unicodeScalars.allSatisfy(Self.isNameScalar) else { return nil }
        return environment[reference] ?? nodeValues[reference]
    }

    /// NAME from `env["NAME"]`.
    private static func indexedEnvName(_ reference: String) -> String? {
        let prefix = "env[\""
        let suffix = "\"]"
        guard reference.hasPrefix(prefix), reference.hasSuffix(suffix),
            reference.count >= prefix.count + suffix.count
        else { return nil }
        let name = reference.dropFirst(prefix.count).dropLast(suffix.count)
        return name.contains("\"") ? nil : String(name)
    }

    private static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || (scalar >= "0" && scalar <= "9")
            || scalar == "_" || scalar == "-" || scalar == "."
    }

    /// Interpolates every string inside a driver `config` block, at any depth. Keys are left alone.
    func interpolate(_ config: Google_Protobuf_Struct) -> Google_Protobuf_Struct {
        var result = config
        result.fields = config.fields.mapValues(interpolate)
        return result
    }

    func interpolate(_ value: Google_Protobuf_Value) -> Google_Protobuf_Value {
        var result = value
        switch value.kind {
        case .stringValue(let text): result.kind = .stringValue(interpolate(text))
        case .structValue(let nested): result.kind = .structValue(interpolate(nested))
        case .listValue(let list):
            var interpolated = list
            interpolated.values = list.values.map(interpolate)
            result.kind = .listValue(interpolated)
        case .nullValue, .numberValue, .boolValue, .none: break
        }
        return result
    }

    /// Interpolates the values of a map (e.g. a task's `env` block).
    func interpolate(_ values: [String: String]) -> [String: String] {
        values.mapValues { interpolate($0) }
    }
}
