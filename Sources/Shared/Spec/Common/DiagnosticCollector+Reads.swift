import HCL
import SwiftProtobuf

/// Typed reads that record a problem and return nil instead of throwing, shared by the config decoders.
extension DiagnosticCollector {
    mutating func checkKeys(_ reader: BodyReader, _ allowed: [String]) {
        _ = attempt { () throws(Diagnostics) in try reader.checkKeys(allowed) }
    }

    mutating func string(_ reader: BodyReader, _ name: String) -> String? {
        attempt { () throws(Diagnostics) in try reader.string(name) } ?? nil
    }

    mutating func int(_ reader: BodyReader, _ name: String) -> Int? {
        attempt { () throws(Diagnostics) in try reader.int(name) } ?? nil
    }

    mutating func double(_ reader: BodyReader, _ name: String) -> Double? {
        attempt { () throws(Diagnostics) in try reader.double(name) } ?? nil
    }

    mutating func bool(_ reader: BodyReader, _ name: String) -> Bool? {
        attempt { () throws(Diagnostics) in try reader.bool(name) } ?? nil
    }

    mutating func strings(_ reader: BodyReader, _ name: String) -> [String]? {
        attempt { () throws(Diagnostics) in try reader.strings(name) } ?? nil
    }

    /// A map of strings; a key written twice keeps the later value.
    mutating func stringMap(_ reader: BodyReader, _ name: String) -> [String: String]? {
        guard let pairs = attempt({ () throws(Diagnostics) in try reader.stringMap(name) }) ?? nil else {
            return nil
        }
        var map: [String: String] = [:]
        for pair in pairs { map[pair.key] = pair.value }
        return map
    }

    mutating func value(_ reader: BodyReader, _ name: String) -> Value? {
        attempt { () throws(Diagnostics) in try reader.attribute(name) } ?? nil
    }

    mutating func block(_ reader: BodyReader, _ name: String) -> BlockReader? {
        attempt { () throws(Diagnostics) in try reader.block(name) } ?? nil
    }

    mutating func blocks(_ reader: BodyReader, _ name: String) -> [BlockReader] {
        attempt { () throws(Diagnostics) in try reader.blocks(name) } ?? []
    }

    /// A Go-style duration (`"15s"`); negative durations are rejected.
    mutating func duration(_ reader: BodyReader, _ name: String) -> Google_Protobuf_Duration? {
        guard let duration = attempt({ () throws(Diagnostics) in try DurationText.read(reader, name) }) ?? nil
        else { return nil }
        if duration.seconds < 0 || duration.nanos < 0 {
            add("\(name) must not be negative", at: SpecDecoding.valueRange(reader, name))
            return nil
        }
        return duration
    }

    /// A whole number within `bounds`, with a positioned error naming them when it is outside.
    mutating func int(_ reader: BodyReader, _ name: String, in bounds: ClosedRange<Int>) -> Int? {
        guard let number = int(reader, name) else { return nil }
        guard bounds.contains(number) else {
            add(
                "\(name) must be between \(bounds.lowerBound) and \(bounds.upperBound), but it is \(number)",
                at: SpecDecoding.valueRange(reader, name))
            return nil
        }
        return number
    }

    /// A string that must be one of `choices`.
    mutating func choice(_ reader: BodyReader, _ name: String, _ choices: [String]) -> String? {
        guard let text = string(reader, name) else { return nil }
        guard choices.contains(text) else {
            add(
                "\(name) must be \(SpecDecoding.alternatives(choices, quoted: true)), but it is \"\(text)\"",
                at: SpecDecoding.valueRange(reader, name))
            return nil
        }
        return text
    }

    /// The members of a map written as `key = { ... }`, such as `Subsets` or `Failover`, in the order written.
    ///
    /// Also reads HCL1 block syntax (`Subsets { v1 { ... } }`) and JSON objects; a key written twice is an error.
    mutating func members(of map: BlockReader) -> [(name: String, range: SourceRange, body: BodyReader)] {
        var result: [(name: String, range: SourceRange, body: BodyReader)] = []
        var seen: Set<String> = []
        for key in map.body.keys {
            let range = map.body.range(of: key) ?? map.range
            let identity = map.body.keyMatching == .exact ? key : KeyMatching.normalize(key)
            guard seen.insert(identity).inserted else { continue }
            let readers = blocks(map.body, key)
            if readers.count > 1 {
                add("\"\(key)\" is set more than once in \(map.type)", at: readers[1].typeRange)
                continue
            }
            guard let reader = readers.first else { continue }
            result.append((key, range, reader.body))
        }
        return result
    }

    /// Blocks with one label, such as `host_volume "mysql" { ... }`, also written as JSON or HCL objects keyed
    /// by the label (`host_volume = { mysql = { ... } }`); the range is the label's.
    mutating func labeledBlocks(_ reader: BodyReader, _ type: String)
        -> [(label: String, range: SourceRange, body: BodyReader)]
    {
        var result: [(label: String, range: SourceRange, body: BodyReader)] = []
        for block in blocks(reader, type) {
            switch block.labels.count {
            case 1:
                result.append((block.labels[0].value, block.labels[0].range, block.body))
            case 0:
                result.append(contentsOf: members(of: block).map { ($0.name, $0.range, $0.body) })
            default:
                add(
                    "block \"\(type)\" takes one label, but has \(block.labels.count); write it as "
                        + "\(type) \"name\" { ... }", at: block.labels[1].range)
            }
        }
        return result
    }
}
