import Foundation
import HCL
import Spec

/// Loads agent-config fixtures by path relative to this file and decodes them.
enum AgentConfigFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/agent")

    /// The fixture named by its path under `Fixtures/agent`, which is also its name in messages.
    static func source(_ name: String) throws -> SpecSource {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return SpecSource(filename: name, bytes: Array(data))
    }

    static func decode(_ names: String...) throws -> AgentConfig {
        try AgentConfigSpec.decode(try names.map(source))
    }

    /// The `file:line:col: message` lines decoding reports; empty when the files decode.
    static func errors(_ sources: [SpecSource]) -> [String] {
        do {
            _ = try AgentConfigSpec.decode(sources)
            return []
        } catch {
            return error.map(\.description)
        }
    }

    static func errors(_ names: String...) throws -> [String] {
        errors(try names.map(source))
    }
}
