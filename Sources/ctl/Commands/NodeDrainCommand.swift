import ArgumentParser
import CaravanProto
import Foundation

/// `ctl node drain`: move a node's allocations elsewhere and keep new ones off it, as `nomad node drain` does.
struct NodeDrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drain",
        abstract: "Drain a node (-enable), cancel a drain (-disable), or follow one (-monitor).",
        discussion: """
            -enable makes the node ineligible and migrates its allocations: each task group at the pace of its \
            migrate block (max_parallel at a time, each replacement healthy before the next), batch allocations \
            left to finish, system allocations last; at the deadline every allocation left is stopped. The drain \
            is followed until it completes unless -detach. -disable cancels a drain (allocations already moving \
            keep moving) and makes the node eligible again unless -keep-ineligible. -monitor follows a drain in \
            progress. Give exactly one of -enable, -disable or -monitor. NODE_ID may be a unique prefix of the ID.
            Without -yes the change is confirmed on the terminal; without a terminal pass -yes.
            Exit status: 0 on success or when the followed drain completes, 1 when the call fails or the \
            followed drain is cancelled, 64 for bad arguments.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Flag(name: .hashicorp("enable"), help: "Start draining the node (or change its drain).") var enable = false
    @Flag(name: .hashicorp("disable"), help: "Cancel the node's drain.") var disable = false
    @Flag(name: .hashicorp("monitor"), help: "Follow a drain in progress without changing it.") var monitor = false
    @Flag(name: .hashicorp("detach"), help: "With -enable: return once the drain is set instead of following it.")
    var detach = false
    @Option(
        name: .hashicorp("deadline"),
        help: "With -enable: stop the allocations still on the node after this long (Go duration; default 1h).")
    var deadline: String?
    @Flag(name: .hashicorp("no-deadline"), help: "With -enable: no deadline; allocations move at their own pace.")
    var noDeadline = false
    @Flag(name: .hashicorp("force"), help: "With -enable: stop every allocation now, ignoring migrate blocks.")
    var force = false
    @Flag(name: .hashicorp("ignore-system"), help: "With -enable: leave system-job allocations running.")
    var ignoreSystem = false
    @Flag(name: .hashicorp("keep-ineligible"), help: "With -disable: keep the node ineligible after cancelling.")
    var keepIneligible = false
    @Flag(name: .hashicorp("yes"), help: "Do not ask for confirmation.") var yes = false
    @Option(
        name: .hashicorp("meta"),
        help: ArgumentHelp(
            "Record a detail in the node's drain event, e.g. -meta message=\"kernel upgrade\" (repeatable).",
            valueName: "key=value"))
    var meta: [String] = []
    @Argument(help: "The node's ID (or a unique prefix of it).") var nodeID: String

    var arguments: NodeDrainArguments {
        NodeDrainArguments(
            enable: enable, disable: disable, monitor: monitor, detach: detach, deadline: deadline,
            noDeadline: noDeadline, force: force, ignoreSystem: ignoreSystem, keepIneligible: keepIneligible)
    }

    func validate() throws {
        _ = try arguments.action()
        _ = try JobDispatchCommand.meta(meta)
    }

    func run() async throws {
        try await runVerb {
            let action = try arguments.action()
            let dialer = try connection.dialer()
            let target = try connection.target()
            let node = try await dialer.withClient(target) { client in
                try await Caravan_V1_Nodes.Client(wrapping: client).get(.with { $0.nodeID = nodeID }).node
            }
            let request: Caravan_V1_DrainNodeRequest
            switch action {
            case .monitor:
                guard node.hasDrainStrategy else {
                    print("No drain strategy set for node \"\(node.id)\"")
                    return 0
                }
                print("\(Self.stamp()): Monitoring node \"\(node.id)\": Ctrl-C to detach monitoring")
                return try await follow(node.id)
            case .enable(let spec):
                request = .with {
                    $0.nodeID = node.id
                    $0.drainSpec = spec
                }
            case .disable(let markEligible):
                request = .with {
                    $0.nodeID = node.id
                    $0.markEligible = markEligible
                }
            }
            var withMeta = request
            withMeta.meta = try JobDispatchCommand.meta(meta)
            guard try yes || Self.confirm(enable ? "enable" : "disable", nodeID: node.id) else {
                print("Canceling drain toggle")
                return 0
            }
            _ = try await dialer.withClient(target) { client in
                try await Caravan_V1_Nodes.Client(wrapping: client).drain(withMeta)
            }
            guard enable, !detach else {
                print("Node \"\(node.id)\" drain strategy \(enable ? "set" : "unset")")
                return 0
            }
            print("\(Self.stamp()): Ctrl-C to stop monitoring: will not cancel the node drain")
            print("\(Self.stamp()): Node \"\(node.id)\" drain strategy set")
            return try await follow(node.id)
        }
    }

    private func follow(_ id: String) async throws -> Int32 {
        try await connection.dialer().withClient(try connection.target()) { client in
            try await NodeDrainMonitor(source: ServerDrainSource(client: client)).run(nodeID: id) {
                print("\(Self.stamp()): \($0)")
            }
        }
    }

    /// Asks on the terminal; refuses (exit 64) when stdin is not one, so a script never hangs on the question.
    static func confirm(_ verb: String, nodeID: String) throws -> Bool {
        guard isatty(FileHandle.standardInput.fileDescriptor) == 1 else {
            throw VarUsageError("stdin is not a terminal: pass -yes to \(verb) drain mode without confirmation")
        }
        print("Are you sure you want to \(verb) drain mode for node \"\(nodeID)\"? [y/N] ", terminator: "")
        return readLine()?.trimmingCharacters(in: .whitespaces).lowercased() == "y"
    }

    static func stamp() -> String {
        ISO8601DateFormatter().string(from: Date())
    }
}
