import ClientNetwork
import Foundation
import TestSupport

/// The host tools the namespace tests inspect the kernel with (`ip`, `iptables`, `python3`), by full path.
enum HostTools {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func path(_ tool: String) -> String {
        if tool == "python3" { return python }
        return HostCommand().locate(tool) ?? tool
    }

    /// The system python3, so `ip netns exec` need not go through a version manager's shim.
    static let python: String = {
        let candidates =
            ["/usr/bin/python3", "/usr/local/bin/python3"]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? "python3"
    }()

    /// Runs a tool, whatever its status.
    static func run(_ tool: String, _ arguments: [String]) async throws -> CommandResult {
        try await runCommand(path(tool), arguments)
    }

    /// Runs a tool and returns its stdout; throws unless it exits 0.
    @discardableResult
    static func output(_ tool: String, _ arguments: [String]) async throws -> String {
        let result = try await run(tool, arguments)
        guard result.status == 0 else {
            throw Failure(
                description: "\(tool) \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result.stdout
    }

    /// Runs a tool for cleanup, ignoring failures (the thing may already be gone).
    static func ignoringFailure(_ tool: String, _ arguments: [String]) async {
        _ = try? await run(tool, arguments)
    }

    /// Connects to `host:port` (from inside `namespace` when given) and returns what the server sent, or nil when
    /// the connection failed.
    static func fetch(host: String, port: Int32, from namespace: String? = nil) async -> String? {
        let client = """
            import socket, sys
            s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
            print(s.recv(200).decode())
            """
        let command = [python, "-c", client, host, String(port)]
        let result: CommandResult?
        if let namespace {
            result = try? await runCommand(path("ip"), ["netns", "exec", namespace] + command)
        } else {
            result = try? await runCommand(python, Array(command.dropFirst()))
        }
        guard let result, result.status == 0 else { return nil }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Sends one UDP datagram to `host:port` from inside `namespace` and returns the reply, or nil on timeout.
    static func exchangeUDP(host: String, port: Int32, from namespace: String) async -> String? {
        let client = """
            import socket, sys
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(5)
            s.sendto(b"ping", (sys.argv[1], int(sys.argv[2])))
            print(s.recvfrom(200)[0].decode())
            """
        let result = try? await runCommand(
            path("ip"), ["netns", "exec", namespace, python, "-c", client, host, String(port)])
        guard let result, result.status == 0 else { return nil }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The lines of `iptables -t nat -S CARAVAN-DNAT` tagged for one allocation.
    static func dnatLines(bridge: String, allocID: String) async throws -> [String] {
        let listing = try await output("iptables", ["-w", "-t", "nat", "-S", FirewallRules.dnatChain])
        return FirewallRules.lines(listing, taggedWith: FirewallRules.allocationTag(bridge: bridge, allocID: allocID))
    }

    /// Every rule in Caravan's chains that names `bridge`, in any table.
    static func bridgeRuleCount(_ bridge: String) async throws -> Int {
        var count = 0
        for (table, chain) in [
            ("nat", FirewallRules.dnatChain), ("nat", FirewallRules.postroutingChain),
            ("filter", FirewallRules.forwardChain),
        ] {
            let result = try await run("iptables", ["-w", "-t", table, "-S", chain])
            count += result.stdout.split(separator: "\n").filter { $0.contains("caravan/\(bridge)") }.count
        }
        return count
    }

    static func linkExists(_ name: String) async throws -> Bool {
        try await run("ip", ["link", "show", "dev", name]).status == 0
    }

    static func namespaceExists(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: "/var/run/netns/\(name)")
    }

    /// The interfaces enslaved to `bridge`.
    static func ports(of bridge: String) async throws -> [String] {
        let result = try await run("ip", ["-o", "link", "show", "master", bridge])
        return result.stdout.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: ":", maxSplits: 2)
            guard fields.count >= 2 else { return nil }
            return String(fields[1].trimmingCharacters(in: .whitespaces).prefix { $0 != "@" })
        }
    }

    static func randomHex(_ count: Int) -> String {
        String((0..<count).map { _ in "0123456789abcdef".randomElement() ?? "0" })
    }
}
