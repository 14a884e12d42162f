import ArgumentParser
import CaravanProto
import CaravanRPC
import Foundation
import SwiftProtobuf
import Testing

@testable import CtlCommands

@Suite("ctl alloc fs and alloc logs: arguments, task choice and output")
struct AllocFileCommandTests {
    @Test(
        "conflicting or negative flags exit 64 with the reason",
        arguments: [
            (["alloc", "fs", "-stat", "-f", "0f1e"], "-stat and -f cannot be combined"),
            (["alloc", "logs", "-n", "2", "-c", "5", "0f1e"], "give at most one of -n and -c"),
            (["alloc", "fs", "-f", "-stat", "0f1e", "alloc/logs/web.stdout.0"], "-stat and -f cannot be combined"),
            (["alloc", "logs"], "Missing expected argument '<alloc-id>'"),
        ])
    func badArguments(arguments: [String], message: String) throws {
        let failure = try #require(ArgumentTests.failure(arguments))
        #expect(failure.code == 64)
        #expect(failure.message.contains(message), "\(failure.message)")
    }

    @Test("the verbs parse with single-dash flags; -tail alone means the last 10 lines, -c and -n imply -tail")
    func parses() throws {
        let fs = try #require(
            try CtlCommand.parseAsRoot(["alloc", "fs", "-stat", "0f1e", "alloc/logs"]) as? AllocFsCommand)
        #expect(fs.stat && !fs.follow && fs.allocID == "0f1e" && fs.path == "alloc/logs")
        let root = try #require(try CtlCommand.parseAsRoot(["alloc", "fs", "0f1e"]) as? AllocFsCommand)
        #expect(root.path == "/")
        let logs = try #require(
            try CtlCommand.parseAsRoot(["alloc", "logs", "-f", "-stderr", "-tail", "0f1e", "web"]) as? AllocLogsCommand)
        #expect(logs.follow && logs.stderr && logs.task == "web" && logs.start == .lastLines(10))
        let bytes = try #require(
            try CtlCommand.parseAsRoot(["alloc", "logs", "-c", "100", "0f1e"]) as? AllocLogsCommand)
        #expect(bytes.task == nil && bytes.start == .lastBytes(100))
        let plain = try #require(try CtlCommand.parseAsRoot(["alloc", "logs", "0f1e"]) as? AllocLogsCommand)
        #expect(plain.start == .beginning)
    }

    @Test("help explains paths, tails and exit status")
    func help() {
        let fs = AllocFsCommand.helpMessage()
        #expect(fs.contains("Exit status") && fs.contains("secrets") && fs.contains("-stat"))
        let logs = AllocLogsCommand.helpMessage()
        #expect(logs.contains("Exit status") && logs.contains("rotated") && logs.contains("-tail"))
    }

    static func alloc(tasks: [String]) -> Caravan_V1_Allocation {
        .with {
            $0.id = "0f1e2d3c-0000-4000-8000-000000000000"
            $0.taskGroup = "web"
            $0.job.taskGroups = [
                .with {
                    $0.name = "web"
                    $0.tasks = tasks.map { name in .with { $0.name = name } }
                },
                .with {
                    $0.name = "other"
                    $0.tasks = [.with { $0.name = "elsewhere" }]
                },
            ]
        }
    }

    @Test("TASK may be left out only when the group has one task; a named task must be in the group")
    func taskChoice() throws {
        #expect(try AllocLogsCommand.task(nil, of: Self.alloc(tasks: ["server"])) == "server")
        #expect(try AllocLogsCommand.task("sidecar", of: Self.alloc(tasks: ["server", "sidecar"])) == "sidecar")
        let several = try #require(throws: CaravanError.self) {
            try AllocLogsCommand.task(nil, of: Self.alloc(tasks: ["server", "sidecar"]))
        }
        #expect(several.message == "allocation 0f1e2d3c runs 2 tasks; name one: server, sidecar")
        let unknown = try #require(throws: CaravanError.self) {
            try AllocLogsCommand.task("elsewhere", of: Self.alloc(tasks: ["server"]))
        }
        #expect(unknown.code == .notFound && unknown.message.contains("no task \"elsewhere\" (its tasks: server)"))
    }

    @Test("tail lengths count whole lines from the end; a last line without newline counts")
    func tailLength() {
        let log = Data("one\ntwo\nthree\n".utf8)
        #expect(AllocFileFormatter.tailLength(of: log, lines: 1) == 6)
        #expect(AllocFileFormatter.tailLength(of: log, lines: 2) == 10)
        #expect(AllocFileFormatter.tailLength(of: log, lines: 3) == 14)
        #expect(AllocFileFormatter.tailLength(of: log, lines: 9) == 14)
        #expect(AllocFileFormatter.tailLength(of: Data("a\nunfinished".utf8), lines: 1) == 10)
        #expect(AllocFileFormatter.hasLines(log, 2) && !AllocFileFormatter.hasLines(log, 3))
    }

    @Test("a directory prints as Nomad's table with human sizes and UTC times")
    func table() {
        let files: [Caravan_V1_FileInfo] = [
            .with {
                $0.name = "alloc"
                $0.isDir = true
                $0.mode = "drwxrwxrwx"
                $0.modTime = Google_Protobuf_Timestamp(seconds: 1_700_000_000)
            },
            .with {
                $0.name = "big.bin"
                $0.size = 3 * 1024 * 1024 / 2
                $0.mode = "-rw-r--r--"
                $0.modTime = Google_Protobuf_Timestamp(seconds: 1_700_000_000)
            },
        ]
        let lines = AllocFileFormatter.table(files).split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("Mode") && lines[0].contains("Modified Time"))
        #expect(lines[1].contains("drwxrwxrwx") && lines[1].hasSuffix("alloc/"))
        #expect(lines[2].contains("1.5 MiB") && lines[2].contains("2023-11-14 22:13:20 UTC"))
        #expect(AllocFileFormatter.size(512) == "512 B" && AllocFileFormatter.size(4096) == "4.0 KiB")
    }
}
