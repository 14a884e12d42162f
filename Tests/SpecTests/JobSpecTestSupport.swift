import CaravanProto
import Foundation
import HCL
import Spec
import SwiftProtobuf
import Testing

/// Loads and decodes job fixtures under `Fixtures/jobs`.
enum JobFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/jobs")

    /// The fixture's source, named by its path relative to `Fixtures/jobs` so messages read `invalid/x.hcl:3:5`.
    static func source(_ name: String) throws -> SpecSource {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return SpecSource(filename: name, bytes: Array(data))
    }

    static func decode(_ name: String, variables: VariableInputs = VariableInputs()) throws -> Caravan_V1_Job {
        try JobSpec.decode(source(name), variables: variables)
    }

    /// The error lines decoding `name` gives, or an empty list when it decodes.
    static func errors(_ name: String) throws -> [String] {
        do {
            _ = try JobSpec.decode(source(name))
            return []
        } catch let diagnostics as Diagnostics {
            return diagnostics.items.map(\.description)
        }
    }

    static func duration(_ seconds: Int64) -> Google_Protobuf_Duration {
        Google_Protobuf_Duration(seconds: seconds, nanos: 0)
    }
}
