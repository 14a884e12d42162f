import CaravanProto
import Foundation
import HCL
import Spec

/// Loads config-entry fixtures by path relative to this file and decodes them.
enum ConfigEntryFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/config-entries")

    /// The fixture named by its path under `Fixtures/config-entries`, which is also its name in messages.
    static func source(_ name: String) throws -> SpecSource {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return SpecSource(filename: name, bytes: Array(data))
    }

    static func decode(_ name: String) throws -> Caravan_V1_ConfigEntry {
        try ConfigEntrySpec.decode(try source(name))
    }

    /// The `file:line:col: message` lines decoding reports; empty when the fixture decodes.
    static func errors(_ name: String) throws -> [String] {
        try errors(source(name))
    }

    static func errors(_ source: SpecSource) -> [String] {
        do {
            _ = try ConfigEntrySpec.decode(source)
            return []
        } catch {
            return error.map(\.description)
        }
    }

    /// `entry` without its source position, for comparing the HCL, JSON and snake_case forms.
    static func withoutPosition(_ entry: Caravan_V1_ConfigEntry) -> Caravan_V1_ConfigEntry {
        var copy = entry
        copy.clearSourcePosition()
        return copy
    }
}
