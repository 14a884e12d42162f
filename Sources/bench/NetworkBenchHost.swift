import ClientNetwork
import Foundation
import Synchronization

/// The part of the host `bench network` uses and must give back: its bridge, a subnet and a host port range
/// nothing else on the machine uses, and the check and cleanup afterwards.
struct NetworkBenchHost {
    static let bridge = "cvbench"

    let subnet: IPv4Subnet
    let firstHostPort: Int
    let command = HostCommand()

    /// What a run left behind.
    struct Leftovers: CustomStringConvertible {
        var namespaces = 0
        var veths = 0
        var rules = 0
        var isEmpty: Bool { namespaces == 0 && veths == 0 && rules == 0 }
        var description: String { "\(namespaces) namespaces, \(veths) veths, \(rules) rules" }
    }

    /// Picks the smallest 10.203.0.0 subnet (at most a /24) that fits `allocs` and a free port range; refuses to
    /// run over an earlier run's bridge or a subnet the host already routes.
    static func prepare(allocs: Int, portsPerAlloc: Int) async throws -> NetworkBenchHost {
        var prefix = 24
        while let subnet = IPv4Subnet(cidr: "10.203.0.0/\(prefix)"), subnet.capacity < allocs { prefix -= 1 }
        guard let subnet = IPv4Subnet(cidr: "10.203.0.0/\(prefix)") else {
            throw BenchError("no subnet under 10.203.0.0 fits \(allocs) allocations")
        }
        let command = HostCommand()
        if try await command.output("ip", ["link", "show", "dev", bridge]).succeeded {
            throw BenchError("\(bridge) exists (an earlier run?): remove it with `ip link delete \(bridge)` first")
        }
        let routes = try await command.run("ip", ["-4", "route", "show", "table", "all"])
        if routes.contains("10.203.") {
            throw BenchError("the host already routes part of 10.203.0.0/16; bench network needs it for its bridge")
        }
        let needed = max(1, allocs * portsPerAlloc)
        let busy = listeningPorts()
        guard
            let first = stride(from: 30000, through: 65535 - needed, by: 1000).first(where: { base in
                !busy.contains { $0 >= base && $0 < base + needed }
            })
        else { throw BenchError("no free range of \(needed) host ports above 30000") }
        return NetworkBenchHost(subnet: subnet, firstHostPort: first)
    }

    /// Local ports with a TCP listener or a bound UDP socket, from /proc/net.
    static func listeningPorts() -> Set<Int> {
        var ports: Set<Int> = []
        for file in ["tcp", "tcp6", "udp", "udp6"] {
            let text = (try? String(contentsOfFile: "/proc/net/" + file, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 3, let port = fields[1].split(separator: ":").last.flatMap({ Int($0, radix: 16) })
                else { continue }
                // TCP state 0A is LISTEN; any bound UDP socket counts.
                if file.hasPrefix("udp") || fields[3] == "0A" { ports.insert(port) }
            }
        }
        return ports
    }

    /// Namespaces of `ids`, veths on the bridge and rules tagged for the bridge's allocations that still exist.
    func leftovers(of ids: [String]) async throws -> Leftovers {
        var left = Leftovers()
        left.namespaces = ids.filter { FileManager.default.fileExists(atPath: "/var/run/netns/" + $0) }.count
        let ports = try await command.output("ip", ["-o", "link", "show", "master", Self.bridge])
        left.veths = ports.stdout.split(separator: "\n").count
        let prefix = FirewallRules.bridgeTag(Self.bridge) + "/"
        for (table, chain) in [
            ("nat", FirewallRules.dnatChain), ("nat", FirewallRules.postroutingChain),
            ("filter", FirewallRules.forwardChain),
        ] {
            let listing = try await command.output("iptables", ["-w", "-t", table, "-S", chain])
            left.rules +=
                listing.stdout.split(separator: "\n").filter {
                    FirewallRules.comment(of: String($0))?.hasPrefix(prefix) == true
                }.count
        }
        return left
    }

    /// Removes the bridge, its rules and whatever a failed run left of `ids`.
    func removeEverything(ids: [String]) async {
        for id in ids where FileManager.default.fileExists(atPath: "/var/run/netns/" + id) {
            _ = try? await command.output("ip", ["netns", "delete", id])
        }
        let ports = (try? await command.output("ip", ["-o", "link", "show", "master", Self.bridge]))?.stdout ?? ""
        for line in ports.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2)
            guard fields.count >= 2 else { continue }
            let name = fields[1].trimmingCharacters(in: .whitespaces).prefix { $0 != "@" }
            _ = try? await command.output("ip", ["link", "delete", "dev", String(name)])
        }
        try? await Firewall(command: command).removeBridge(Self.bridge)
        _ = try? await command.output("ip", ["link", "delete", "dev", Self.bridge])
    }
}

/// Network records in memory: the bench has no state database and nothing to survive.
final class MemoryNetworkRecords: NetworkRecordStore {
    private let records = Mutex<[String: NetworkRecord]>([:])

    func networkRecords() throws -> [NetworkRecord] { records.withLock { Array($0.values) } }

    func saveNetworkRecord(_ record: NetworkRecord) throws { records.withLock { $0[record.allocID] = record } }

    func deleteNetworkRecord(allocID: String) throws { records.withLock { $0[allocID] = nil } }
}
