/// The iptables rules behind bridge networking, as text, so they can be tested without a kernel. Every rule lives
/// in one of Caravan's own chains and carries a comment naming its bridge and, for per-allocation rules, its
/// allocation; teardown and the leftover sweep find rules by that comment and never touch anyone else's.
///
/// - nat `CARAVAN-DNAT` (jumped to from PREROUTING and OUTPUT for local destinations): one DNAT per mapped port
///   and protocol, so the host port reaches the allocation whether the client is another machine or this one.
/// - nat `CARAVAN-POSTROUTING`: egress MASQUERADE for the subnet; MASQUERADE of loopback sources leaving through
///   the bridge (so `curl 127.0.0.1:<port>` works); and hairpin MASQUERADE of DNAT-ed traffic from the subnet
///   back into it (so an allocation reaches its own, or a neighbour's, host port).
/// - filter `CARAVAN-FORWARD`: accepts traffic into and out of the bridge, whatever the FORWARD policy.
public enum FirewallRules {
    public static let dnatChain = "CARAVAN-DNAT"
    public static let postroutingChain = "CARAVAN-POSTROUTING"
    public static let forwardChain = "CARAVAN-FORWARD"

    /// A chain of Caravan's and the built-in chain that jumps to it.
    public struct Jump: Sendable, Equatable {
        public var table: String
        public var from: String
        public var chain: String
        /// Match arguments before `-j`.
        public var match: [String]
    }

    public static let jumps: [Jump] = [
        Jump(table: "nat", from: "PREROUTING", chain: dnatChain, match: ["-m", "addrtype", "--dst-type", "LOCAL"]),
        Jump(table: "nat", from: "OUTPUT", chain: dnatChain, match: ["-m", "addrtype", "--dst-type", "LOCAL"]),
        Jump(table: "nat", from: "POSTROUTING", chain: postroutingChain, match: []),
        Jump(table: "filter", from: "FORWARD", chain: forwardChain, match: []),
    ]

    /// One rule: its table and its `-A CHAIN ...` arguments.
    public struct Rule: Sendable, Equatable {
        public var table: String
        public var chain: String
        public var arguments: [String]

        /// The rule as an `iptables-restore` line.
        public var appendLine: String { (["-A", chain] + arguments).joined(separator: " ") }
    }

    /// The comment on a bridge's shared rules.
    public static func bridgeTag(_ bridge: String) -> String { "caravan/\(bridge)" }

    /// The comment on one allocation's rules.
    public static func allocationTag(bridge: String, allocID: String) -> String { "caravan/\(bridge)/\(allocID)" }

    /// The rules one bridge needs once, whatever runs on it.
    public static func bridgeRules(bridge: String, subnet: IPv4Subnet) -> [Rule] {
        let comment = ["-m", "comment", "--comment", bridgeTag(bridge)]
        let net = subnet.description
        return [
            Rule(
                table: "nat", chain: postroutingChain,
                arguments: ["-s", net, "!", "-d", net] + comment + ["-j", "MASQUERADE"]),
            Rule(
                table: "nat", chain: postroutingChain,
                arguments: ["-s", "127.0.0.0/8", "-o", bridge] + comment + ["-j", "MASQUERADE"]),
            Rule(
                table: "nat", chain: postroutingChain,
                arguments: ["-s", net, "-o", bridge, "-m", "conntrack", "--ctstate", "DNAT"] + comment + [
                    "-j", "MASQUERADE",
                ]),
            Rule(table: "filter", chain: forwardChain, arguments: ["-i", bridge] + comment + ["-j", "ACCEPT"]),
            Rule(table: "filter", chain: forwardChain, arguments: ["-o", bridge] + comment + ["-j", "ACCEPT"]),
        ]
    }

    /// The DNAT rules forwarding an allocation's ports, TCP and UDP.
    public static func allocationRules(bridge: String, allocID: String, address: IPv4Address, ports: [PortMapping])
        -> [Rule]
    {
        let comment = ["-m", "comment", "--comment", allocationTag(bridge: bridge, allocID: allocID)]
        var rules: [Rule] = []
        for port in ports {
            for proto in ["tcp", "udp"] {
                var arguments: [String] = []
                if let hostIP = port.hostIP { arguments += ["-d", "\(hostIP)/32"] }
                arguments += ["-p", proto, "-m", proto, "--dport", String(port.hostPort)] + comment
                arguments += ["-j", "DNAT", "--to-destination", "\(address):\(port.containerPort)"]
                rules.append(Rule(table: "nat", chain: dnatChain, arguments: arguments))
            }
        }
        return rules
    }

    /// The lines of `iptables -S` output (any chain) that carry exactly `tag` as their comment.
    public static func lines(_ listing: String, taggedWith tag: String) -> [String] {
        listing.split(separator: "\n").map(String.init).filter { comment(of: $0) == tag }
    }

    /// The comment of an `iptables -S` line, without quotes; nil when it has none.
    public static func comment(of line: String) -> String? {
        guard let range = line.range(of: "--comment ") else { return nil }
        var rest = line[range.upperBound...]
        if rest.first == "\"" {
            rest = rest.dropFirst()
            return String(rest.prefix { $0 != "\"" })
        }
        return String(rest.prefix { $0 != " " })
    }

    /// The allocation IDs named by per-allocation rules of `bridge` in an `iptables -S` listing.
    public static func allocationIDs(_ listing: String, bridge: String) -> Set<String> {
        let prefix = bridgeTag(bridge) + "/"
        var result: Set<String> = []
        for line in listing.split(separator: "\n") {
            guard let tag = comment(of: String(line)), tag.hasPrefix(prefix) else { continue }
            result.insert(String(tag.dropFirst(prefix.count)))
        }
        return result
    }

    /// Turns `-A CHAIN ...` lines into the `-D CHAIN ...` lines that delete them.
    public static func deleteLines(_ appendLines: [String]) -> [String] {
        appendLines.compactMap { line in
            line.hasPrefix("-A ") ? "-D " + line.dropFirst(3) : nil
        }
    }

    /// An `iptables-restore --noflush` script for one table.
    public static func restoreScript(table: String, lines: [String]) -> String {
        (["*\(table)"] + lines + ["COMMIT", ""]).joined(separator: "\n")
    }
}
