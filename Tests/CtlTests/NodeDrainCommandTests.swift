import ArgumentParser
import CaravanProto
import SwiftProtobuf
import Testing

@testable import CtlCommands

/// `ctl node drain`: which flag combinations are refused and why, and the drain spec the others become.
@Suite("ctl node drain arguments")
struct NodeDrainCommandTests {
    static func failure(_ arguments: [String]) -> (code: Int32, message: String)? {
        ArgumentTests.failure(["node", "drain"] + arguments)
    }

    static func parse(_ arguments: [String]) throws -> NodeDrainCommand {
        try #require(try CtlCommand.parseAsRoot(["node", "drain"] + arguments) as? NodeDrainCommand)
    }

    @Test(
        "conflicting or incomplete flags exit 64 with the reason",
        arguments: [
            (["n1"], "give exactly one of -enable or -disable (or -monitor alone)"),
            (["-enable", "-disable", "n1"], "give exactly one of -enable or -disable"),
            (["-monitor", "-enable", "n1"], "-monitor cannot be combined with -enable or -disable"),
            (["-monitor", "-detach", "n1"], "-monitor cannot be combined with -detach"),
            (["-disable", "-deadline", "5m", "n1"], "-disable cannot be combined with -deadline"),
            (["-disable", "-ignore-system", "n1"], "or -ignore-system"),
            (["-enable", "-keep-ineligible", "n1"], "-keep-ineligible applies only with -disable"),
            (["-enable", "-deadline", "5m", "-force", "n1"], "-deadline cannot be combined with -force"),
            (["-enable", "-deadline", "5m", "-no-deadline", "n1"], "-deadline cannot be combined with -force or"),
            (["-enable", "-force", "-no-deadline", "n1"], "-force and -no-deadline cannot be combined"),
            (["-enable", "-deadline", "soon", "n1"], "-deadline: \"soon\" is not a duration"),
            (["-enable", "-deadline", "0s", "n1"], "-deadline must be positive"),
            (["-enable", "-deadline", "0", "n1"], "-deadline must be positive"),
            (["-enable"], "Missing expected argument '<node-id>'"),
        ])
    func refused(arguments: [String], message: String) throws {
        let failure = try #require(Self.failure(arguments))
        #expect(failure.code == 64)
        #expect(failure.message.contains(message))
    }

    @Test("-enable defaults to a one-hour deadline; -deadline takes a Go duration; -ignore-system carries")
    func enable() throws {
        let plain = try Self.parse(["-enable", "-yes", "n1"])
        #expect(try plain.arguments.action() == .enable(.with { $0.deadline = .init(seconds: 3600) }))
        #expect(plain.yes && plain.nodeID == "n1")
        let timed = try Self.parse(["-enable", "-deadline", "1m30s", "-ignore-system", "n1"])
        #expect(
            try timed.arguments.action()
                == .enable(
                    .with {
                        $0.deadline = .init(seconds: 90)
                        $0.ignoreSystemJobs = true
                    }))
    }

    @Test("-no-deadline sends no deadline; -force sends force and no deadline")
    func noDeadlineAndForce() throws {
        #expect(try Self.parse(["-enable", "-no-deadline", "n1"]).arguments.action() == .enable(.init()))
        #expect(
            try Self.parse(["-enable", "-force", "-detach", "n1"]).arguments.action()
                == .enable(.with { $0.force = true }))
    }

    @Test("-disable makes the node eligible again unless -keep-ineligible; -monitor alone follows")
    func disableAndMonitor() throws {
        #expect(try Self.parse(["-disable", "n1"]).arguments.action() == .disable(markEligible: true))
        #expect(
            try Self.parse(["-disable", "-keep-ineligible", "n1"]).arguments.action() == .disable(markEligible: false))
        #expect(try Self.parse(["-monitor", "n1"]).arguments.action() == .monitor)
    }

    @Test("the help explains every flag and the exit status")
    func help() {
        let help = NodeDrainCommand.helpMessage()
        for flag in [
            "-enable", "-disable", "-monitor", "-detach", "-deadline", "-no-deadline", "-force", "-ignore-system",
            "-keep-ineligible", "-yes",
        ] {
            #expect(help.contains(flag), "\(flag) missing from the help")
        }
        #expect(help.contains("Exit status"))
    }
}
