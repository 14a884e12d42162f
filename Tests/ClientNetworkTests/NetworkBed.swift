import ClientNetwork
import Foundation
import Synchronization
import Testing

/// One namespace test's private piece of the host: its own bridge, its own /24 (or smaller) subnet no route on the
/// host uses, its allocation IDs and host ports, optionally a "remote" namespace behind a veth of its own, and a
/// cleanup that removes all of it whether the test passed or not.
final class NetworkBed: Sendable {
    /// A namespace standing in for another machine: `hostAddress` is the host's end of a /30, `remoteAddress` the
    /// namespace's, and the namespace routes everything through the host.
    struct Remote: Sendable {
        let namespace: String
        let hostVeth: String
        let hostAddress: String
        let remoteAddress: String
    }

    let bridge: String
    let subnet: IPv4Subnet
    let store = MemoryRecordStore()
    private let remoteState = Mutex<Remote?>(nil)
    private let allocIDs = Mutex<[String]>([])
    private let servers = Mutex<[NamespaceServer]>([])
    private let links = Mutex<[String]>([])

    /// Third octets and host ports handed out in this process, so tests running in parallel never share one.
    private static let usedOctets = Mutex<Set<String>>([])
    private static let usedPorts = Mutex<Set<Int32>>([])

    var remote: Remote {
        get throws {
            guard let remote = remoteState.withLock({ $0 }) else {
                throw HostTools.Failure(description: "this bed has no remote namespace")
            }
            return remote
        }
    }

    private init(bridge: String, subnet: IPv4Subnet) {
        self.bridge = bridge
        self.subnet = subnet
    }

    /// Runs `body` with a fresh bed and removes everything the bed and the test made afterwards, even on failure.
    static func with<T>(
        remote: Bool = false, prefixLength: Int = 24, _ body: (NetworkBed) async throws -> T
    ) async throws -> T {
        let octet = try await freeOctet(under: "10.201")
        guard let subnet = IPv4Subnet(cidr: "10.201.\(octet).0/\(prefixLength)") else {
            throw HostTools.Failure(description: "bad test subnet 10.201.\(octet).0/\(prefixLength)")
        }
        let bed = NetworkBed(bridge: "cvt" + HostTools.randomHex(6), subnet: subnet)
        do {
            if remote { try await bed.addRemote() }
            let result = try await body(bed)
            await bed.cleanUp()
            return result
        } catch {
            await bed.cleanUp()
            throw error
        }
    }

    /// A manager on this bed's bridge and record store (a new one per call, as after a clientd restart).
    func manager() throws -> NetworkManager {
        try NetworkManager(configuration: NetworkManager.Configuration(bridge: bridge, subnet: subnet), store: store)
    }

    /// A fresh allocation ID, remembered for cleanup.
    func newAllocID() -> String {
        let id = UUID().uuidString.lowercased()
        allocIDs.withLock { $0.append(id) }
        return id
    }

    /// A host port no other test of this process uses.
    static func newHostPort() -> Int32 {
        usedPorts.withLock { used in
            while true {
                let port = Int32.random(in: 20000...29999)
                if used.insert(port).inserted { return port }
            }
        }
    }

    /// The subnet's address `offset` above the network address (1 is the gateway).
    func address(_ offset: UInt32) -> IPv4Address { IPv4Address(subnet.network.value + offset) }

    /// Starts a token server in `namespace`, stopped at cleanup.
    func startServer(namespace: String, port: Int, token: String, udp: Bool = false) async throws {
        let server = try await NamespaceServer(namespace: namespace, port: port, token: token, udp: udp)
        servers.withLock { $0.append(server) }
    }

    /// Remembers a link the test made by hand, deleted at cleanup.
    func removeAtCleanUp(link: String) {
        links.withLock { $0.append(link) }
    }

    /// A third octet under `prefix` that no other test took and no host route mentions.
    private static func freeOctet(under prefix: String) async throws -> Int {
        let routes = try await HostTools.output("ip", ["-4", "route", "show", "table", "all"])
        for _ in 0..<500 {
            let octet = Int.random(in: 1...250)
            if routes.contains("\(prefix).\(octet).") { continue }
            if usedOctets.withLock({ $0.insert("\(prefix).\(octet)").inserted }) { return octet }
        }
        throw HostTools.Failure(description: "no free \(prefix).x.0/24 on this host")
    }

    private func addRemote() async throws {
        let octet = try await Self.freeOctet(under: "10.202")
        let remote = Remote(
            namespace: "cvt-remote-" + HostTools.randomHex(8), hostVeth: "rmt" + HostTools.randomHex(8),
            hostAddress: "10.202.\(octet).1", remoteAddress: "10.202.\(octet).2")
        remoteState.withLock { $0 = remote }
        try await HostTools.output("ip", ["netns", "add", remote.namespace])
        try await HostTools.output(
            "ip", ["link", "add", remote.hostVeth, "type", "veth", "peer", "name", "eth0", "netns", remote.namespace])
        try await HostTools.output("ip", ["addr", "add", "\(remote.hostAddress)/30", "dev", remote.hostVeth])
        try await HostTools.output("ip", ["link", "set", "dev", remote.hostVeth, "up"])
        let inside = [
            ["addr", "add", "\(remote.remoteAddress)/30", "dev", "eth0"], ["link", "set", "dev", "eth0", "up"],
            ["link", "set", "dev", "lo", "up"], ["route", "add", "default", "via", remote.hostAddress],
        ]
        for command in inside { try await HostTools.output("ip", ["-n", remote.namespace] + command) }
    }

    private func cleanUp() async {
        for server in servers.withLock({ $0 }) { await server.stop() }
        if let manager = try? manager() { _ = await manager.removeLeftovers(keeping: []) }
        for id in allocIDs.withLock({ $0 }) {
            if HostTools.namespaceExists(id) { await HostTools.ignoringFailure("ip", ["netns", "delete", id]) }
            let veth = NetworkManager.hostInterfaceName(allocID: id)
            if (try? await HostTools.linkExists(veth)) == true {
                await HostTools.ignoringFailure("ip", ["link", "delete", "dev", veth])
            }
        }
        for link in links.withLock({ $0 }) {
            await HostTools.ignoringFailure("ip", ["link", "delete", "dev", link])
        }
        if let remote = remoteState.withLock({ $0 }) {
            await HostTools.ignoringFailure("ip", ["netns", "delete", remote.namespace])
            await HostTools.ignoringFailure("ip", ["link", "delete", "dev", remote.hostVeth])
        }
        try? await Firewall().removeBridge(bridge)
        await HostTools.ignoringFailure("ip", ["link", "delete", "dev", bridge])
    }
}
