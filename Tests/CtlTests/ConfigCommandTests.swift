import CaravanProto
import Foundation
import HCL
import Testing

@testable import CtlCommands

@Suite("config verbs: local decoding, requests and list output")
struct ConfigCommandTests {
    /// Writes `text` to a fresh temporary file named `name` and returns its path.
    static func file(_ name: String, _ text: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    static func write(_ arguments: [String]) throws -> ConfigWriteCommand {
        try #require(try CtlCommand.parseAsRoot(["config", "write"] + arguments) as? ConfigWriteCommand)
    }

    @Test("write decodes the file locally and sends the entry; -cas -modify-index sets the check index")
    func writeRequest() throws {
        let path = try Self.file(
            "api-defaults.hcl", "Kind = \"service-defaults\"\nName = \"api\"\nProtocol = \"http\"\n")
        let plain = try Self.write([path]).request()
        #expect(plain.entry.kind == "service-defaults" && plain.entry.name == "api")
        #expect(plain.entry.serviceDefaults.protocol == "http")
        #expect(!plain.hasCheckIndex)
        let guarded = try Self.write(["-cas", "-modify-index", "0", path]).request()
        #expect(guarded.hasCheckIndex && guarded.checkIndex == 0)
    }

    @Test("write refuses an invalid file with file:line:col problems, before any call is made")
    func writeInvalid() throws {
        let path = try Self.file("bad.hcl", "Kind = \"service-splitter\"\nName = \"api\"\nSplits = [{ Weight = 90 }]\n")
        let command = try Self.write([path])
        let diagnostics = try #require(throws: Diagnostics.self) { try command.request() }
        let lines = diagnostics.items.map(\.description)
        #expect(lines.contains { $0.hasPrefix(path + ":3:") && $0.contains("add up to 100") }, "\(lines)")
    }

    @Test("delete sends kind and name, and the check index only with -cas")
    func deleteRequest() throws {
        let command = try #require(
            try CtlCommand.parseAsRoot(
                ["config", "delete", "-kind", "service-router", "-name", "web", "-cas", "-modify-index", "17"])
                as? ConfigDeleteCommand)
        #expect(command.request.kind == "service-router" && command.request.name == "web")
        #expect(command.request.checkIndex == 17)
    }

    @Test("list: names of the asked kind one per line, else KIND/NAME for every entry, sorted")
    func list() {
        let entries: [Caravan_V1_ConfigEntry] = [
            .with {
                $0.kind = "service-router"; $0.name = "web"
            },
            .with {
                $0.kind = "service-defaults"; $0.name = "web"
            },
            .with {
                $0.kind = "service-defaults"; $0.name = "api"
            },
        ]
        #expect(ConfigListFormatter.lines(entries, kind: "service-defaults") == "api\nweb")
        #expect(
            ConfigListFormatter.lines(entries, kind: nil) == """
                service-defaults/api
                service-defaults/web
                service-router/web
                """)
        #expect(ConfigListFormatter.lines([], kind: nil) == "")
    }
}
