import Foundation
import Logging

/// Gives allocations their own network stack and takes it away again. Bridge mode: a namespace
/// (`/var/run/netns/<alloc-id>`, so `ip netns exec` works for operators), a veth pair into the node's bridge, an
/// address from the bridge subnet, and DNAT rules for the mapped ports. None mode: a namespace with loopback only.
///
/// Every network is recorded (with its address, so IPAM survives restarts) before anything is created, and
/// forgotten only after everything is gone, so `removeLeftovers` after a crash finds all that was left. Operations
/// on one allocation run one at a time, in the order they were asked for.
public actor NetworkManager {
    /// The node's bridge network (client config `bridge_network_name`, `bridge_network_subnet`).
    public struct Configuration: Sendable, Equatable {
        public var bridge: String
        public var subnet: IPv4Subnet
        /// Where named namespaces are bind-mounted (`ip netns`'s directory).
        public var namespaceDir: String

        public init(bridge: String, subnet: IPv4Subnet, namespaceDir: String = "/var/run/netns") {
            self.bridge = bridge
            self.subnet = subnet
            self.namespaceDir = namespaceDir
        }
    }

    public nonisolated let configuration: Configuration
    private let store: any NetworkRecordStore
    private let links: LinkCommands
    private let firewall: Firewall
    private let logger: Logger
    private var records: [String: NetworkRecord]
    /// The bridge setup under way or done; concurrent first setups share it, a failed one is retried next time.
    private var bridgeSetup: Task<Result<Void, NetworkError>, Never>?
    /// The last queued operation per allocation; the next one waits for it.
    private var queues: [String: Task<Void, Never>] = [:]

    public init(
        configuration: Configuration, store: any NetworkRecordStore, command: HostCommand = HostCommand(),
        firewall: Firewall? = nil, logger: Logger = Logger(label: "caravan.network")
    ) throws(NetworkError) {
        self.configuration = configuration
        self.store = store
        links = LinkCommands(command: command, namespaceDir: configuration.namespaceDir)
        self.firewall = firewall ?? Firewall(command: command)
        self.logger = logger
        do {
            records = Dictionary(try store.networkRecords().map { ($0.allocID, $0) }, uniquingKeysWith: { $1 })
        } catch {
            throw NetworkError("cannot read the network records: \(error)")
        }
    }

    /// Creates (or completes, or confirms) the allocation's network. Running it again with the same request
    /// changes nothing; with other ports it replaces the port rules.
    public func setUp(_ request: NetworkRequest) async throws(NetworkError) -> AllocNetwork {
        try await exclusively(request.allocID) { manager in await manager.performSetUp(request) }
    }

    /// Removes everything the allocation's network consists of. Safe to call for an allocation without one.
    public func tearDown(allocID: String) async throws(NetworkError) {
        try await exclusively(allocID) { manager in await manager.performTearDown(allocID) }
    }

    /// Tears down the networks of allocations not in `keeping`, and removes DNAT rules and veths on this node's
    /// bridge that no record explains (left by a lost state database). Returns the allocations it cleaned up.
    public func removeLeftovers(keeping: Set<String>) async -> [String] {
        var cleaned: Set<String> = []
        for id in records.keys.sorted() where !keeping.contains(id) {
            do {
                try await tearDown(allocID: id)
                cleaned.insert(id)
            } catch {
                logger.error("cannot remove a leftover network", metadata: ["alloc_id": "\(id)", "error": "\(error)"])
            }
        }
        let bridge = configuration.bridge
        do {
            for id in try await firewall.allocationsWithRules(bridge: bridge)
            where !keeping.contains(id) && records[id] == nil {
                try await firewall.removeAllocationRules(bridge: bridge, allocID: id)
                cleaned.insert(id)
            }
            let known = Set(records.values.compactMap(\.hostInterface))
            for name in try await links.ports(of: bridge)
            where name.hasPrefix(Self.vethPrefix) && !known.contains(name) {
                try await links.deleteLink(name)
                logger.info("removed a leftover veth", metadata: ["interface": "\(name)"])
            }
        } catch {
            logger.error("cannot sweep leftover network rules", metadata: ["error": "\(error)"])
        }
        return cleaned.sorted()
    }

    /// What is recorded for the allocation, if anything.
    public func record(allocID: String) -> NetworkRecord? { records[allocID] }

    /// The allocations with a recorded network.
    public var allocationIDs: [String] { records.keys.sorted() }

    // MARK: Steps

    static let vethPrefix = "cv"

    /// `cv` and 13 hex digits of a hash of the allocation ID: unique enough, and within the kernel's 15 bytes.
    public static func hostInterfaceName(allocID: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in allocID.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return vethPrefix + String(String(repeating: "0", count: max(0, 16 - hex.count)) + hex).prefix(13)
    }

    private func performSetUp(_ request: NetworkRequest) async -> Result<AllocNetwork, NetworkError> {
        do throws(NetworkError) {
            guard Self.isSafeName(request.allocID) else {
                throw NetworkError("allocation ID \"\(request.allocID)\" cannot name a network namespace")
            }
            switch request.mode {
            case .host:
                throw NetworkError("host networking needs no namespace")
            case .none:
                try remember(NetworkRecord(allocID: request.allocID, mode: .none))
                try await links.ensureNamespace(request.allocID)
                return .success(
                    AllocNetwork(
                        mode: .none, namespacePath: links.namespacePath(request.allocID), address: nil,
                        interfaceName: nil))
            case .bridge:
                return .success(try await setUpBridged(request))
            }
        } catch {
            return .failure(error)
        }
    }

    private func setUpBridged(_ request: NetworkRequest) async throws(NetworkError) -> AllocNetwork {
        let config = configuration
        try await ensureBridge()
        let address: IPv4Address
        if let recorded = records[request.allocID]?.address {
            address = recorded
        } else {
            address = try freeAddress()
        }
        let veth = Self.hostInterfaceName(allocID: request.allocID)
        try remember(
            NetworkRecord(
                allocID: request.allocID, mode: .bridge, bridge: config.bridge, address: address, hostInterface: veth,
                ports: request.ports))
        try await links.ensureNamespace(request.allocID)
        try await links.ensureVeth(
            hostSide: veth, namespace: request.allocID, bridge: config.bridge, address: address,
            prefixLength: config.subnet.prefixLength, gateway: config.subnet.gateway)
        let rules = FirewallRules.allocationRules(
            bridge: config.bridge, allocID: request.allocID, address: address, ports: request.ports)
        try await firewall.replaceAllocationRules(bridge: config.bridge, allocID: request.allocID, with: rules)
        return AllocNetwork(
            mode: .bridge, namespacePath: links.namespacePath(request.allocID), address: address,
            interfaceName: "eth0")
    }

    private func performTearDown(_ allocID: String) async -> Result<Void, NetworkError> {
        guard let record = records[allocID] else { return .success(()) }
        do throws(NetworkError) {
            if let bridge = record.bridge {
                try await firewall.removeAllocationRules(bridge: bridge, allocID: allocID)
            }
            if let veth = record.hostInterface, try await links.linkExists(veth) {
                try await links.deleteLink(veth)
            }
            try await links.deleteNamespace(allocID)
            do {
                try store.deleteNetworkRecord(allocID: allocID)
            } catch {
                throw NetworkError("cannot forget the network of \(allocID): \(error)")
            }
            records[allocID] = nil
            return .success(())
        } catch {
            return .failure(error)
        }
    }

    /// The bridge, its address, forwarding and the firewall's shared rules; checked once per clientd run.
    private func ensureBridge() async throws(NetworkError) {
        let setup: Task<Result<Void, NetworkError>, Never>
        if let existing = bridgeSetup {
            setup = existing
        } else {
            let config = configuration
            let links = self.links
            let firewall = self.firewall
            setup = Task {
                do throws(NetworkError) {
                    try await links.ensureBridge(
                        config.bridge, gateway: config.subnet.gateway, prefixLength: config.subnet.prefixLength)
                    try LinkCommands.sysctl("net/ipv4/ip_forward", "1")
                    // Lets DNAT-ed loopback traffic (curl 127.0.0.1:<port>) leave through the bridge.
                    try LinkCommands.sysctl("net/ipv4/conf/\(config.bridge)/route_localnet", "1")
                    try await firewall.ensureBridge(config.bridge, subnet: config.subnet)
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            bridgeSetup = setup
        }
        let result = await setup.value
        if case .failure = result, bridgeSetup == setup { bridgeSetup = nil }
        try result.get()
    }

    /// The lowest address no recorded network holds.
    private func freeAddress() throws(NetworkError) -> IPv4Address {
        let taken = Set(records.values.compactMap(\.address))
        guard let address = configuration.subnet.firstFree(excluding: taken) else {
            throw NetworkError(
                "no free address in \(configuration.subnet) (\(configuration.subnet.capacity) allocations use it)")
        }
        return address
    }

    private func remember(_ record: NetworkRecord) throws(NetworkError) {
        guard records[record.allocID] != record else { return }
        do {
            try store.saveNetworkRecord(record)
        } catch {
            throw NetworkError("cannot record the network of \(record.allocID): \(error)")
        }
        records[record.allocID] = record
    }

    /// Allocation IDs become file names and interface arguments: letters, digits, `-` and `_` only.
    static func isSafeName(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64
            && id.unicodeScalars.allSatisfy {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_")
            }
    }

    /// Runs `operation` after every earlier operation on `allocID` has finished.
    private func exclusively<T: Sendable>(
        _ allocID: String, _ operation: @escaping @Sendable (NetworkManager) async -> Result<T, NetworkError>
    ) async throws(NetworkError) -> T {
        let previous = queues[allocID]
        let work = Task {
            await previous?.value
            return await operation(self)
        }
        let marker = Task { _ = await work.value }
        queues[allocID] = marker
        let result = await work.value
        if queues[allocID] == marker { queues[allocID] = nil }
        return try result.get()
    }
}
