import Foundation
import TestSupport
import Testing

/// `ctl job validate`, `ctl job inspect -local` and `ctl config validate` as a user runs them on files.
@Suite("ctl on job and config entry files", .serialized, .timeLimit(.minutes(2)))
struct CtlSpecCommandTests {
    let ctl = BuiltProducts.path("ctl")
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("SpecTests/Fixtures").path

    @Test("a valid job validates; an invalid one prints file:line:col errors and exits 1")
    func jobValidate() async throws {
        let good = try await runCommand(ctl, ["job", "validate", "\(Self.fixtures)/jobs/api-bridge.hcl"])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.contains("Job validation successful: api"))

        let bad = "\(Self.fixtures)/jobs/invalid/bad-duration.hcl"
        let result = try await runCommand(ctl, ["job", "validate", bad])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("Error: \(bad):12:9: interval: \"10x\" is not a duration"))
    }

    @Test("variables come from -var, -var-file and CARAVAN_VAR_, flags winning")
    func jobVariables() async throws {
        let file = "\(Self.fixtures)/jobs/variables.hcl"
        let missing = try await runCommand(ctl, ["job", "validate", file])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("image_version"))

        let varFile = NSTemporaryDirectory() + "caravan-vars-\(UUID().uuidString.prefix(6)).hcl"
        try "image_version = \"7\"\nreplicas = 4\n".write(toFile: varFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: varFile) }
        let inspected = try await runCommand(
            ctl,
            ["job", "inspect", "-local", "-var-file", varFile, "-var", "replicas=3", file],
            environment: ["CARAVAN_VAR_image_version": "6"]
        )
        #expect(inspected.status == 0, "\(inspected.stderr)")
        let job = try JSONSerialization.jsonObject(with: Data(inspected.stdout.utf8)) as? [String: Any]
        let groups = job?["taskGroups"] as? [[String: Any]]
        #expect(groups?.first?["count"] as? Int == 3)
        #expect((job?["meta"] as? [String: String])?["tier"] == "BACKEND")
    }

    @Test("config entries validate in HCL1 style and JSON; invalid ones list every problem")
    func configValidate() async throws {
        for name in ["web-router.hcl", "web-router.json", "api-splitter.hcl"] {
            let result = try await runCommand(ctl, ["config", "validate", "\(Self.fixtures)/config-entries/\(name)"])
            #expect(result.status == 0, "\(name): \(result.stderr)")
            #expect(result.stdout.hasPrefix("Config entry is valid: service-"))
        }
        let bad = "\(Self.fixtures)/config-entries/invalid/intentions-action-and-permissions.hcl"
        let result = try await runCommand(ctl, ["config", "validate", bad])
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").count == 2)
        #expect(result.stderr.contains("\(bad):7:5: source \"web\" sets both Action and Permissions"))
    }
}
