import ClientNetwork
import Foundation
import TestSupport

/// A bridge name and subnet of one test's own, so tests never share addresses or rules, and the means to count
/// and remove what clientd left on it.
struct TestBridge: Sendable {
    let name: String
    let subnet: String

    init() async {
        name = "cvi" + String(UInt32.random(in: 0x10_0000...0xFF_FFFF), radix: 16)
        let routes = (try? await runCommand("/usr/sbin/ip", ["-4", "route", "show"]))?.stdout ?? ""
        var candidate: String
        repeat {
            candidate = "10.\(Int.random(in: 210...219)).\(Int.random(in: 1...250))"
        } while routes.contains(candidate + ".")
        subnet = candidate + ".0/24"
    }

    var clientFlags: [String] { ["-bridge-network-name", name, "-bridge-network-subnet", subnet] }

    /// DNAT rules clientd made for allocations on this bridge.
    func allocationRuleCount() async -> Int {
        let listing = (try? await runCommand("/usr/sbin/iptables", ["-w", "-t", "nat", "-S", "CARAVAN-DNAT"]))?.stdout
        return (listing ?? "").split(separator: "\n").filter { $0.contains("caravan/\(name)/") }.count
    }

    /// The rules every allocation on this bridge shares (egress, loopback and hairpin NAT, forwarding).
    func bridgeRuleCount() async -> Int {
        var count = 0
        for (table, chain) in [("nat", "CARAVAN-POSTROUTING"), ("filter", "CARAVAN-FORWARD")] {
            let listing = (try? await runCommand("/usr/sbin/iptables", ["-w", "-t", table, "-S", chain]))?.stdout
            count +=
                (listing ?? "").split(separator: "\n").filter {
                    FirewallRules.comment(of: String($0)) == FirewallRules.bridgeTag(name)
                }.count
        }
        return count
    }

    /// Interfaces (allocations' veths) enslaved to the bridge.
    func vethCount() async -> Int {
        let listing = (try? await runCommand("/usr/sbin/ip", ["-o", "link", "show", "master", name]))?.stdout ?? ""
        return listing.split(separator: "\n").count
    }

    /// Removes the bridge, every rule tagged with it, and the veths and namespaces of allocations still on it:
    /// whatever a failed test (whose clientd was killed) left.
    func remove() async {
        let ports = (try? await runCommand("/usr/sbin/ip", ["-o", "link", "show", "master", name]))?.stdout ?? ""
        for line in ports.split(separator: "\n") {
            let words = line.split(separator: " ").map(String.init)
            if let index = words.firstIndex(of: "link-netns"), index + 1 < words.count {
                _ = try? await runCommand("/usr/sbin/ip", ["netns", "delete", words[index + 1]])
            }
            if words.count > 1 {
                let interface = words[1].prefix { $0 != "@" && $0 != ":" }
                _ = try? await runCommand("/usr/sbin/ip", ["link", "delete", String(interface)])
            }
        }
        try? await Firewall().removeBridge(name)
        _ = try? await runCommand("/usr/sbin/ip", ["link", "delete", name])
    }
}

/// Named network namespaces, from `ip netns list`.
func networkNamespaces() async -> Set<String> {
    let listing = (try? await runCommand("/usr/sbin/ip", ["netns", "list"]))?.stdout ?? ""
    return Set(listing.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) })
}

/// Another machine, as far as the node can tell: a network namespace the test creates, linked to the host by a
/// veth pair (host side `hostAddress`, far side `address`, a /30 of its own). It can serve HTTP.
final class RemoteHost: Sendable {
    let namespace: String
    let hostInterface: String
    let hostAddress: String
    let address: String

    private init(tag: String, network: String, base: Int) {
        namespace = "cvremote-" + tag
        hostInterface = "rmt" + tag
        hostAddress = "\(network).\(base + 1)"
        address = "\(network).\(base + 2)"
    }

    static func create() async throws -> RemoteHost {
        let routes = try await runCommand("/usr/sbin/ip", ["-4", "route", "show"]).stdout
        var network: String
        repeat {
            network = "10.\(Int.random(in: 220...229)).\(Int.random(in: 1...250))"
        } while routes.contains(network + ".")
        let remote = RemoteHost(
            tag: String(UInt32.random(in: 0x10_0000...0xFF_FFFF), radix: 16), network: network,
            base: 4 * Int.random(in: 1...60))
        do {
            try await remote.ip(["netns", "add", remote.namespace])
            try await remote.ip([
                "link", "add", remote.hostInterface, "type", "veth", "peer", "name", "eth0", "netns", remote.namespace,
            ])
            try await remote.ip(["addr", "add", remote.hostAddress + "/30", "dev", remote.hostInterface])
            try await remote.ip(["link", "set", remote.hostInterface, "up"])
            try await remote.ip(["-n", remote.namespace, "addr", "add", remote.address + "/30", "dev", "eth0"])
            try await remote.ip(["-n", remote.namespace, "link", "set", "eth0", "up"])
            try await remote.ip(["-n", remote.namespace, "link", "set", "lo", "up"])
            try await remote.ip(["-n", remote.namespace, "route", "add", "default", "via", remote.hostAddress])
        } catch {
            await remote.remove()
            throw error
        }
        return remote
    }

    private func ip(_ arguments: [String]) async throws {
        let result = try await runCommand("/usr/sbin/ip", arguments)
        guard result.status == 0 else {
            throw TestbedError("ip \(arguments.joined(separator: " ")): \(result.stderr)")
        }
    }

    /// Serves `body` at `/` on `port` inside the namespace until `remove`.
    func serve(port: Int, body: String, directory: String) throws {
        try body.write(toFile: directory + "/index.html", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = [
            "netns", "exec", namespace, "/usr/bin/python3", "-m", "http.server", String(port), "--bind", address,
            "--directory", directory,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// `GET url` from inside the namespace.
    func get(_ url: String, timeout: Duration = .seconds(30)) async throws -> String {
        try await httpGet(url, namespace: namespace, timeout: timeout)
    }

    /// Kills whatever runs in the namespace (`ip netns exec` forks, so the servers are not our children), then
    /// removes the namespace and its veth.
    func remove() async {
        let pids = (try? await runCommand("/usr/sbin/ip", ["netns", "pids", namespace]))?.stdout ?? ""
        for pid in pids.split(separator: "\n").compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
        _ = try? await runCommand("/usr/sbin/ip", ["link", "delete", hostInterface])
        _ = try? await runCommand("/usr/sbin/ip", ["netns", "delete", namespace])
    }
}

/// `GET url` with curl (from inside `namespace` when given), retried until it answers or `timeout` passes: the
/// server comes up on its own schedule and announces nothing.
func httpGet(_ url: String, namespace: String? = nil, timeout: Duration = .seconds(30)) async throws -> String {
    let curl = ["/usr/bin/curl", "-sS", "--max-time", "2", url]
    let command = namespace.map { ["/usr/sbin/ip", "netns", "exec", $0] + curl } ?? curl
    let deadline = ContinuousClock.now + timeout
    var last = ""
    while ContinuousClock.now < deadline {
        let result = try await runCommand(command[0], Array(command.dropFirst()))
        if result.status == 0 { return result.stdout }
        last = result.stderr
        try await Task.sleep(for: .milliseconds(100))
    }
    throw TestbedError("GET \(url)\(namespace.map { " from \($0)" } ?? "") never answered: \(last)")
}

/// One `GET`, no retries: for checking that something is unreachable.
func httpGetOnce(_ url: String, namespace: String? = nil) async throws -> CommandResult {
    let curl = ["/usr/bin/curl", "-sS", "--max-time", "2", url]
    let command = namespace.map { ["/usr/sbin/ip", "netns", "exec", $0] + curl } ?? curl
    return try await runCommand(command[0], Array(command.dropFirst()))
}

struct TestbedError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
