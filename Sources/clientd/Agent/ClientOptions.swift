import ArgumentParser
import CaravanDaemon
import CaravanRPC
import ClientNetwork

/// clientd's flags: the shared agent flags, its port, the servers it talks to, and what this machine offers.
public struct ClientOptions: ParsableArguments, Sendable {
    @OptionGroup public var agent: AgentOptions
    @OptionGroup public var servers: ServersOption

    @Option(name: .hashicorp("port"), help: "gRPC port for the allocation file-system API (0: pick one).")
    public var port: Int = 4649

    @Option(
        name: .hashicorp("advertise"),
        help: "IP address servers and operators reach this node at (default: -bind, or this host's first address).")
    public var advertise: String?

    @Option(
        name: .hashicorp("host-volume"),
        help: ArgumentHelp(
            "A host directory jobs may mount, as name=/path or name=/path:ro (repeatable; the path must exist).",
            valueName: "name=path"))
    public var hostVolumes: [String] = []

    @Option(name: .hashicorp("meta"), help: ArgumentHelp("Node metadata key=value (repeatable).", valueName: "k=v"))
    public var meta: [String] = []

    @Option(name: .hashicorp("node-class"), help: "Node class, usable in constraints as ${node.class}.")
    public var nodeClass: String = ""

    @Option(name: .hashicorp("node-pool"), help: "Node pool this node belongs to.")
    public var nodePool: String = "default"

    @Flag(
        name: .hashicorp("enable-raw-exec"),
        help: "Enable the raw_exec driver (tasks run unisolated as clientd's user; off by default, as in Nomad).")
    public var enableRawExec: Bool = false

    @Option(name: .hashicorp("alloc-dir"), help: "Where allocation directories live (default: <data-dir>/alloc).")
    public var allocDir: String?

    @Option(
        name: .hashicorp("gc-max-allocs"),
        help: "Finished allocations whose directories are kept for inspection; older ones are removed.")
    public var gcMaxAllocs: Int = 50

    @Option(
        name: .hashicorp("executor"),
        help: "Path of the per-task executor binary (default: `executor` next to clientd).")
    public var executorPath: String?

    @Option(
        name: .hashicorp("bridge-network-name"),
        help: "Bridge that bridge-mode allocations attach to (created on demand; at most 15 characters).")
    public var bridgeNetworkName: String = "caravan"

    @Option(
        name: .hashicorp("bridge-network-subnet"),
        help: "IPv4 subnet bridge-mode allocations get addresses from; the bridge takes the first address.")
    public var bridgeNetworkSubnet: String = "172.26.64.0/20"

    public init() {}

    public func validate() throws {
        try validatePort(port, flag: "port")
        guard agent.dataDir != nil else {
            throw ValidationError("clientd needs -data-dir: its state and the allocation directories live there")
        }
        if let advertise, IPAddressBytes.parse(advertise) == nil {
            throw ValidationError("-advertise \"\(advertise)\": not an IP address")
        }
        guard gcMaxAllocs >= 0 else { throw ValidationError("-gc-max-allocs \(gcMaxAllocs): must be 0 or more") }
        for entry in meta where Self.keyValue(entry) == nil {
            throw ValidationError("-meta \"\(entry)\": expected key=value")
        }
        _ = try volumes()
        _ = try bridgeNetwork()
    }

    /// The bridge network from `-bridge-network-name` and `-bridge-network-subnet`.
    public func bridgeNetwork() throws(ValidationError) -> NetworkManager.Configuration {
        let name = bridgeNetworkName
        guard (1...15).contains(name.utf8.count),
            name.unicodeScalars.allSatisfy({
                $0.isASCII
                    && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0))
            })
        else {
            throw ValidationError(
                "-bridge-network-name \"\(name)\": an interface name has 1 to 15 letters, digits, '-', '_' or '.'")
        }
        guard let subnet = IPv4Subnet(cidr: bridgeNetworkSubnet) else {
            throw ValidationError(
                "-bridge-network-subnet \"\(bridgeNetworkSubnet)\": expected an IPv4 block from /8 to /30 with its host "
                    + "bits zero, such as 172.26.64.0/20")
        }
        return NetworkManager.Configuration(bridge: name, subnet: subnet)
    }

    /// `-host-volume` entries by name.
    public func volumes() throws(ValidationError) -> [String: HostVolumeOption] {
        var result: [String: HostVolumeOption] = [:]
        for entry in hostVolumes {
            guard let (name, rest) = Self.keyValue(entry), !rest.isEmpty else {
                throw ValidationError("-host-volume \"\(entry)\": expected name=/path or name=/path:ro")
            }
            let readOnly = rest.hasSuffix(":ro")
            let path = readOnly ? String(rest.dropLast(3)) : rest
            guard path.hasPrefix("/") else {
                throw ValidationError("-host-volume \"\(entry)\": the path must be absolute")
            }
            guard result[name] == nil else { throw ValidationError("-host-volume \"\(name)\" is given twice") }
            result[name] = HostVolumeOption(name: name, path: path, readOnly: readOnly)
        }
        return result
    }

    /// `-meta` entries as a map.
    public var metaMap: [String: String] {
        Dictionary(meta.compactMap(Self.keyValue), uniquingKeysWith: { $1 })
    }

    static func keyValue(_ entry: String) -> (String, String)? {
        guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else { return nil }
        return (String(entry[..<equals]), String(entry[entry.index(after: equals)...]))
    }
}

/// One `-host-volume`: a named host directory allocations may bind-mount.
public struct HostVolumeOption: Sendable, Equatable {
    public var name: String
    public var path: String
    public var readOnly: Bool

    public init(name: String, path: String, readOnly: Bool) {
        self.name = name
        self.path = path
        self.readOnly = readOnly
    }
}
