/// How an allocation's tasks are networked (the group's `network { mode = ... }`). `host` needs nothing from
/// this module; the other two get a network namespace of their own.
public enum NetworkMode: String, Sendable, Codable, CaseIterable {
    case host
    case bridge
    case none
}

/// One host port forwarded into an allocation's namespace, for TCP and UDP alike.
public struct PortMapping: Sendable, Codable, Hashable {
    public var label: String
    /// Port on the host.
    public var hostPort: Int32
    /// Port inside the namespace.
    public var containerPort: Int32
    /// Only traffic to this host address is forwarded; nil forwards traffic to every local address (loopback too).
    public var hostIP: IPv4Address?

    public init(label: String, hostPort: Int32, containerPort: Int32, hostIP: IPv4Address? = nil) {
        self.label = label
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.hostIP = hostIP
    }
}

/// What one allocation's network must look like.
public struct NetworkRequest: Sendable, Equatable {
    public var allocID: String
    /// `.bridge` or `.none`.
    public var mode: NetworkMode
    /// Forwarded ports (bridge only).
    public var ports: [PortMapping]

    public init(allocID: String, mode: NetworkMode, ports: [PortMapping] = []) {
        self.allocID = allocID
        self.mode = mode
        self.ports = ports
    }
}

/// A network this client set up, or began to: written before anything is created, so a crash at any point
/// leaves a record that the next start can tear down.
public struct NetworkRecord: Sendable, Codable, Equatable {
    public var allocID: String
    public var mode: NetworkMode
    /// The bridge the allocation hangs off (bridge mode).
    public var bridge: String?
    /// The allocation's address on the bridge (bridge mode).
    public var address: IPv4Address?
    /// The host end of the veth pair (bridge mode).
    public var hostInterface: String?
    public var ports: [PortMapping]

    public init(
        allocID: String, mode: NetworkMode, bridge: String? = nil, address: IPv4Address? = nil,
        hostInterface: String? = nil, ports: [PortMapping] = []
    ) {
        self.allocID = allocID
        self.mode = mode
        self.bridge = bridge
        self.address = address
        self.hostInterface = hostInterface
        self.ports = ports
    }
}

/// Where the records live: clientd keeps them in its state database, tests may keep them in memory.
public protocol NetworkRecordStore: Sendable {
    func networkRecords() throws -> [NetworkRecord]
    func saveNetworkRecord(_ record: NetworkRecord) throws
    func deleteNetworkRecord(allocID: String) throws
}

/// An allocation's network once it is set up: what its tasks join and what clientd reports.
public struct AllocNetwork: Sendable, Equatable {
    public var mode: NetworkMode
    /// `/var/run/netns/<alloc-id>`; tasks join it with setns.
    public var namespacePath: String
    /// The allocation's address (bridge mode).
    public var address: IPv4Address?
    /// The interface inside the namespace that carries `address` ("eth0" in bridge mode).
    public var interfaceName: String?

    public init(mode: NetworkMode, namespacePath: String, address: IPv4Address?, interfaceName: String?) {
        self.mode = mode
        self.namespacePath = namespacePath
        self.address = address
        self.interfaceName = interfaceName
    }
}

/// Setting up or tearing down a network failed; the message says which step and what the tool said.
public struct NetworkError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
