import CaravanProto
import HCL
import SwiftProtobuf

/// Walks a job file's HCL body into a `Caravan_V1_Job`, collecting every error instead of stopping at the first.
///
/// The decoder checks keys, types and spellings of enumerations; checks that span several stanzas or apply to
/// JSON input too live in `JobValidator`, which finds positions through `sources`.
struct JobDecoder {
    var diagnostics = DiagnosticCollector()
    var sources: JobSourceMap
    /// Read before the groups, since restart and reschedule defaults depend on it.
    var jobType: Caravan_V1_JobType = .service

    init(filename: String) {
        self.sources = JobSourceMap(filename: filename)
    }
}

extension JobDecoder {
    /// Remembers where the block at `path` and each of its attributes are, for `JobValidator`.
    mutating func record(_ reader: BodyReader, at path: String, range: SourceRange) {
        sources.ranges[path] = range
        for key in reader.keys where sources.ranges[path + "#" + key] == nil {
            sources.ranges[path + "#" + key] = SpecDecoding.valueRange(reader, key)
        }
    }

    /// Reports keys outside `allowed`, naming Nomad features Caravan leaves out instead of calling them unknown.
    mutating func checkKeys(_ reader: BodyReader, _ allowed: [String]) {
        var seen = Set<String>()
        let location = reader.displayName == "the top level" ? "at the top level" : "in \(reader.displayName)"
        for key in reader.keys where !allowed.contains(key) && seen.insert(key).inserted {
            let range = reader.range(of: key) ?? reader.range
            if let reason = NomadOnlyKeys.reasons[key] {
                diagnostics.add("\"\(key)\" \(location) is not supported by Caravan: \(reason)", at: range)
            } else {
                let kind = reader.expression(key) != nil ? "attribute" : "block"
                diagnostics.add(
                    "unknown \(kind) \"\(key)\" \(location); expected one of: " + allowed.joined(separator: ", "),
                    at: range)
            }
        }
    }

    // MARK: Typed attributes

    mutating func string(_ reader: BodyReader, _ key: String) -> String? {
        diagnostics.attempt { () throws(Diagnostics) in try reader.string(key) } ?? nil
    }

    mutating func bool(_ reader: BodyReader, _ key: String) -> Bool? {
        diagnostics.attempt { () throws(Diagnostics) in try reader.bool(key) } ?? nil
    }

    mutating func strings(_ reader: BodyReader, _ key: String) -> [String]? {
        diagnostics.attempt { () throws(Diagnostics) in try reader.strings(key) } ?? nil
    }

    mutating func duration(_ reader: BodyReader, _ key: String) -> Google_Protobuf_Duration? {
        diagnostics.attempt { () throws(Diagnostics) in try DurationText.read(reader, key) } ?? nil
    }

    /// A map of strings; later keys win.
    mutating func stringMap(_ reader: BodyReader, _ key: String) -> [String: String]? {
        guard let pairs = diagnostics.attempt({ () throws(Diagnostics) in try reader.stringMap(key) }) ?? nil else {
            return nil
        }
        var map: [String: String] = [:]
        for pair in pairs { map[pair.key] = pair.value }
        return map
    }

    mutating func int64(_ reader: BodyReader, _ key: String) -> Int64? {
        (diagnostics.attempt { () throws(Diagnostics) in try reader.int(key) } ?? nil).map(Int64.init)
    }

    /// A whole number that fits a protobuf int32; `"9090"` is accepted as HCL1-era files write numbers.
    mutating func int32(_ reader: BodyReader, _ key: String) -> Int32? {
        guard let value = diagnostics.attempt({ () throws(Diagnostics) in try reader.int(key) }) ?? nil else {
            return nil
        }
        guard let narrow = Int32(exactly: value) else {
            diagnostics.add(
                "invalid value for \"\(key)\": \(value) is out of range", at: SpecDecoding.valueRange(reader, key))
            return nil
        }
        return narrow
    }

    /// One of a fixed set of strings, mapped to its protobuf value.
    mutating func choice<T>(_ reader: BodyReader, _ key: String, _ options: [(String, T)]) -> T? {
        guard let text = string(reader, key) else { return nil }
        if let match = options.first(where: { $0.0 == text }) { return match.1 }
        let expected = options.map { quoted($0.0) }.joined(separator: ", ")
        diagnostics.add(
            "invalid value for \"\(key)\": expected one of \(expected), but got \(quoted(text))",
            at: SpecDecoding.valueRange(reader, key))
        return nil
    }

    // MARK: Blocks

    mutating func blocks(_ reader: BodyReader, _ type: String) -> [BlockReader] {
        diagnostics.attempt { () throws(Diagnostics) in try reader.blocks(type) } ?? []
    }

    /// The single block named `type`; a second one is an error.
    mutating func block(_ reader: BodyReader, _ type: String) -> BlockReader? {
        diagnostics.attempt { () throws(Diagnostics) in try reader.block(type) } ?? nil
    }

    /// The block's one label, or nil after reporting a missing or extra label; a failure is noted at
    /// `path#label` so the validator does not report the missing name again.
    mutating func label(_ block: BlockReader, _ name: String, path: String? = nil) -> String? {
        let found =
            diagnostics.attempt { () throws(Diagnostics) in try block.requireLabels(1, names: [name]).first } ?? nil
        if found == nil, let path { sources.ranges[path + "#label"] = block.range }
        return found
    }

    /// The `type "label" { }` blocks with their labels; a label used twice is reported (pointing at the first,
    /// "declared twice in this `scope`") and the repeat skipped.
    mutating func uniquelyLabeledBlocks(
        _ reader: BodyReader, _ type: String, labelName: String, scope: String
    ) -> [(name: String, block: BlockReader)] {
        var firstSeen: [String: SourceRange] = [:]
        var result: [(name: String, block: BlockReader)] = []
        for block in blocks(reader, type) {
            guard let name = label(block, labelName) else { continue }
            if let first = firstSeen[name] {
                diagnostics.add(
                    "\(type) \(quoted(name)) is declared twice in this \(scope); the first is at line "
                        + "\(first.start.line), column \(first.start.column)", at: block.range)
                continue
            }
            firstSeen[name] = block.range
            result.append((name, block))
        }
        return result
    }
}

/// `text` in double quotes, with quotes and backslashes escaped.
func quoted(_ text: String) -> String {
    "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
}

/// Keys valid in Nomad job files that Caravan leaves out, with what to do instead.
enum NomadOnlyKeys {
    static let reasons: [String: String] = [
        "vault": "Vault integration is not available; read secrets from Caravan variables in a template",
        "consul": "there is one built-in catalog, so there is no Consul cluster or namespace to choose",
        "identity": "workload identities are not available",
        "scaling": "autoscaling policies are not available",
        "csi_plugin": "CSI volumes are not available; use host volumes",
        "multiregion": "multi-region deployments are not available",
        "max_client_disconnect": "use stop_after_client_disconnect",
        "disconnect": "use stop_after_client_disconnect",
        "prevent_reschedule_on_lost": "lost allocations are always rescheduled",
        "gateway": "connect gateways are not available",
        "transparent_proxy": "transparent proxying is not available; declare upstreams",
        "device": "device plugins are not available",
        "numa": "NUMA-aware scheduling is not available",
        "per_alloc": "it only applies to CSI volumes, which are not available",
        "access_mode": "it only applies to CSI volumes, which are not available",
        "attachment_mode": "it only applies to CSI volumes, which are not available",
        "mount_options": "it only applies to CSI volumes, which are not available",
    ]
}
