import ArgumentParser
import CaravanProto
import CaravanRPC
import CaravanServer
import Foundation
import State
import TestSupport
import Testing

@testable import CtlCommands

/// `ctl var` parsed as a user types it and run in-process against a real server over mutual TLS.
@Suite("ctl var against a server", .timeLimit(.minutes(2)))
struct VarCommandTests {
    /// Runs `body` with a function that parses and executes a `ctl var` command line against a fresh server.
    func withCtl(_ body: (_ run: ([String]) async throws -> CommandOutput) async throws -> Void) async throws {
        let fixture = try CertificateFixture()
        let service = VariablesService(
            state: LocalReplicatedState(), now: { Date(timeIntervalSince1970: 1_700_000_000) })
        try await withRunningServer(tls: try fixture.material("server"), services: [service]) { _, address in
            let connection = [
                "-address", address.description, "-ca-cert", fixture.path("ca.pem"),
                "-client-cert", fixture.path("cli.pem"), "-client-key", fixture.path("cli-key.pem"),
            ]
            try await body { arguments in
                try await Self.execute(Array(arguments.prefix(2)) + connection + arguments.dropFirst(2))
            }
        }
    }

    /// Parses `arguments` (starting with "var") as `ctl` does and executes the var command.
    static func execute(_ arguments: [String]) async throws -> CommandOutput {
        switch try CtlCommand.parseAsRoot(arguments) {
        case let command as VarPutCommand: return try await command.execute()
        case let command as VarGetCommand: return try await command.execute()
        case let command as VarListCommand: return try await command.execute()
        case let command as VarPurgeCommand: return try await command.execute()
        case let other: throw VarUsageError("not a var command: \(type(of: other))")
        }
    }

    @Test("put, get, list and purge a variable")
    func lifecycle() async throws {
        try await withCtl { ctl in
            let created = try await ctl(["var", "put", "jobs/api/db", "user=app", "password=s3cr3t"])
            #expect(created.stdout == "Created variable \"jobs/api/db\" with modify index 1")
            let updated = try await ctl(["var", "put", "jobs/api/db", "user=app", "password=n3w=pass"])
            #expect(updated.stdout == "Updated variable \"jobs/api/db\" with modify index 2")

            let block = try await ctl(["var", "get", "jobs/api/db"]).stdout
            #expect(
                block == """
                    Namespace    = default
                    Path         = jobs/api/db
                    Create Index = 1
                    Create Time  = 2023-11-14T22:13:20Z
                    Modify Index = 2
                    Modify Time  = 2023-11-14T22:13:20Z

                    Items
                    password = n3w=pass
                    user     = app
                    """)
            #expect(try await ctl(["var", "get", "-item", "password", "jobs/api/db"]).stdout == "n3w=pass")

            let json = try await ctl(["var", "get", "-json", "jobs/api/db"]).stdout
            let decoded = try Caravan_V1_Variable(jsonString: json)
            #expect(decoded.items == ["user": "app", "password": "n3w=pass"])
            #expect(decoded.modifyIndex == 2)

            _ = try await ctl(["var", "put", "jobs/web", "k=v"])
            let table = try await ctl(["var", "list", "jobs/"]).stdout
            #expect(
                table == """
                    Namespace  Path         Modify Index  Last Updated
                    default    jobs/api/db  2             2023-11-14T22:13:20Z
                    default    jobs/web     3             2023-11-14T22:13:20Z
                    """)

            let purged = try await ctl(["var", "purge", "jobs/api/db"])
            #expect(purged.stdout == "Successfully purged variable \"jobs/api/db\"!")
            let missing = await #expect(throws: CaravanError.self) { try await ctl(["var", "get", "jobs/api/db"]) }
            #expect(missing?.code == .notFound)
            #expect(missing?.message.hasSuffix(": variable \"jobs/api/db\" not found") == true)
        }
    }

    @Test("a -check-index conflict fails with the stored index; a matching one writes")
    func checkIndex() async throws {
        try await withCtl { ctl in
            _ = try await ctl(["var", "put", "-check-index", "0", "app/config", "a=1"])
            let conflict = await #expect(throws: CaravanError.self) {
                try await ctl(["var", "put", "-check-index", "0", "app/config", "a=2"])
            }
            #expect(conflict?.code == .failedPrecondition)
            #expect(
                conflict?.message.hasSuffix("cas error: variable \"app/config\" already exists with modify index 1")
                    == true)
            let stale = await #expect(throws: CaravanError.self) {
                try await ctl(["var", "purge", "-check-index", "5", "app/config"])
            }
            #expect(stale?.message.hasSuffix("cas error: variable \"app/config\" modify index is 1, not 5") == true)

            let written = try await ctl(["var", "put", "-check-index", "1", "-out", "json", "app/config", "a=3"])
            #expect(try Caravan_V1_Variable(jsonString: written.stdout).modifyIndex == 4)
            #expect(
                try await ctl(["var", "purge", "-check-index", "4", "app/config"]).stdout.hasPrefix("Successfully"))
        }
    }

    @Test("list -per-page prints one page and the token for the next")
    func listPaging() async throws {
        try await withCtl { ctl in
            for name in ["c", "a", "b"] { _ = try await ctl(["var", "put", "p/\(name)", "k=v"]) }
            let first = try await ctl(["var", "list", "-json", "-per-page", "2"])
            let paths = try Self.paths(inJSONArray: first.stdout)
            #expect(paths == ["p/a", "p/b"])
            #expect(first.stderr == "Next page token: p/c")

            let second = try await ctl(["var", "list", "-per-page", "2", "-page-token", "p/c"])
            #expect(second.stdout.hasSuffix("default    p/c   1             2023-11-14T22:13:20Z"))
            #expect(!second.stdout.contains("Next page token"))
            #expect(try await ctl(["var", "list", "nothing/"]).stdout == "No variables found")
        }
    }

    @Test("namespaces keep variables apart")
    func namespaces() async throws {
        try await withCtl { ctl in
            _ = try await ctl(["var", "put", "-namespace", "team", "shared", "who=team"])
            _ = try await ctl(["var", "put", "shared", "who=default"])
            #expect(try await ctl(["var", "get", "-namespace", "team", "-item", "who", "shared"]).stdout == "team")
            #expect(try await ctl(["var", "get", "-item", "who", "shared"]).stdout == "default")
            #expect(try await ctl(["var", "list", "-namespace", "team"]).stdout.contains("team       shared"))
        }
    }

    @Test(
        "bad arguments are reported before dialing",
        arguments: [
            (["var", "put", "a", "novalue"], "\"novalue\" is not an item: write KEY=VALUE"),
            (["var", "put", "a", "=v"], "item \"=v\" has an empty key: write KEY=VALUE"),
            (["var", "put", "a", "k=1", "k=2"], "item key \"k\" is given twice"),
            (["var", "put", "a"], "variable \"a\" has no items; give at least one KEY=VALUE"),
            (["var", "put", "a", "bad key=1"], "variable \"a\" item key \"bad key\" contains \" \""),
            (["var", "put", "/a", "k=v"], "variable path \"/a\" must not start or end with \"/\""),
            (["var", "put", "a", "k=@"], "item \"k\": \"@\" needs a file name, as KEY=@FILE"),
            (["var", "put", "a", "k=@/nonexistent/caravan-file"], "item \"k\": cannot read /nonexistent/caravan-file"),
            (["var", "get", "a/../b"], "variable path \"a/../b\" has a \"..\" segment"),
            (["var", "get", "-item", "k", "-json", "a"], "give -item or -json, not both"),
            (["var", "purge", "-namespace", "no space", "a"], "namespace \"no space\" is invalid"),
        ]
    )
    func badArguments(arguments: [String], message: String) async throws {
        // Nothing listens on port 1 and no TLS files exist: only a check made before dialing can answer.
        let command = arguments + ["-address", "127.0.0.1:1", "-ca-cert", "/nonexistent/ca.pem"]
        let error = await #expect(throws: VarUsageError.self) { try await Self.execute(command) }
        #expect(error?.message.hasPrefix(message) == true, "\(String(describing: error))")
    }

    @Test("KEY=@FILE takes the value from the file")
    func valueFromFile() throws {
        let items = try VarArguments.items(["cert=@/tmp/x", "plain=v@w"]) { path in "contents of \(path)" }
        #expect(items == ["cert": "contents of /tmp/x", "plain": "v@w"])
    }

    @Test("argument errors exit 64 and call failures exit 1")
    func exitCodes() async throws {
        let usage = await #expect(throws: ExitCode.self) { try await runVarCommand { throw VarUsageError("bad") } }
        #expect(usage == .validationFailure)
        let failure = await #expect(throws: ExitCode.self) {
            try await runVarCommand { throw CaravanError.notFound("variable \"a\" not found") }
        }
        #expect(failure == .failure)
    }

    @Test("every flag of every var command is explained in its help")
    func help() {
        let put = VarPutCommand.helpMessage()
        for flag in ["-check-index", "-out", "-namespace", "KEY=@FILE", "-address", "-ca-cert"] {
            #expect(put.contains(flag), "put help lacks \(flag)")
        }
        #expect(VarGetCommand.helpMessage().contains("-item"))
        #expect(VarGetCommand.helpMessage().contains("-stale"))
        let list = VarListCommand.helpMessage()
        for flag in ["-per-page", "-page-token", "-json", "<prefix>"] {
            #expect(list.contains(flag), "list lacks \(flag)")
        }
        #expect(VarPurgeCommand.helpMessage().contains("-check-index"))
        #expect(CtlCommand.helpMessage().contains("var"))
    }

    static func paths(inJSONArray text: String) throws -> [String] {
        let array = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        return array.compactMap { $0["path"] as? String }
    }
}
