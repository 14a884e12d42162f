import ArgumentParser
import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore

/// `ctl alloc logs`: a task's stdout or stderr, across its rotated log files, from its node.
struct AllocLogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print (or follow) the stdout or stderr of a task of an allocation.",
        discussion: """
            TASK may be left out when the allocation's group has one task. The log is read across its rotated \
            files, oldest first. -tail prints the end: the last -n LINES (10 when neither -n nor -c is given) or \
            the last -c BYTES; -n and -c imply -tail. -f keeps printing new output, moving to the next rotated \
            file as it appears, until interrupted.
            ALLOC may be a unique prefix of the allocation's ID.
            Exit status: 0 on success, 1 when the call fails (no such allocation or task, node unreachable), 64 \
            for bad arguments.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Flag(name: .customShort("f"), help: "Follow: keep printing new output until interrupted.") var follow = false
    @Flag(name: .hashicorp("stderr"), help: "Print the task's stderr instead of its stdout.") var stderr = false
    @Flag(name: .hashicorp("tail"), help: "Print the end of the log (default: the last 10 lines).") var tail = false
    @Option(name: .customShort("n"), help: "With -tail: how many lines from the end.") var lines: Int?
    @Option(name: .customShort("c"), help: "With -tail: how many bytes from the end.") var bytes: Int64?
    @Argument(help: "The allocation's ID (or a unique prefix of it).") var allocID: String
    @Argument(help: "The task (optional when the group has exactly one).") var task: String?

    func validate() throws {
        if lines != nil && bytes != nil { throw ValidationError("give at most one of -n and -c") }
        if let lines, lines < 0 { throw ValidationError("-n must not be negative") }
        if let bytes, bytes < 0 { throw ValidationError("-c must not be negative") }
    }

    /// Where printing starts.
    enum Start: Equatable {
        case beginning
        case lastBytes(Int64)
        case lastLines(Int)
    }

    var start: Start {
        if let bytes { return .lastBytes(bytes) }
        if let lines { return .lastLines(lines) }
        return tail ? .lastLines(10) : .beginning
    }

    func run() async throws {
        try await runVerb {
            let dialer = try connection.dialer()
            let address = try connection.target()
            return try await dialer.withClient(address) { client in
                let allocations = Caravan_V1_Allocations.Client(wrapping: client)
                let alloc = try await allocations.get(.with { $0.allocID = allocID }).allocation
                let printer = LogStreamPrinter(
                    allocations: allocations, allocID: alloc.id, task: try Self.task(task, of: alloc),
                    type: stderr ? .stderr : .stdout)
                try await printer.print(from: start, follow: follow)
                return 0
            }
        }
    }

    /// The task to read: the one named (which must be in the group) or the group's only task.
    static func task(_ named: String?, of alloc: Caravan_V1_Allocation) throws -> String {
        let tasks = alloc.job.taskGroups.first { $0.name == alloc.taskGroup }?.tasks.map(\.name) ?? []
        if let named {
            guard tasks.isEmpty || tasks.contains(named) else {
                throw CaravanError.notFound(
                    "allocation \(alloc.id.prefix(8)) has no task \"\(named)\" (its tasks: \(tasks.joined(separator: ", ")))"
                )
            }
            return named
        }
        guard tasks.count == 1, let only = tasks.first else {
            throw CaravanError.invalidArgument(
                "allocation \(alloc.id.prefix(8)) runs \(tasks.count) tasks; name one: \(tasks.joined(separator: ", "))"
            )
        }
        return only
    }
}
