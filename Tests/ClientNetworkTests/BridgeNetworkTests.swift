import ClientNetwork
import Foundation
import Testing

/// Bridge and none networks built in real namespaces on this host. Each test has its own bridge, subnet and
/// allocation IDs, so they run in parallel; each removes all it made, even when it fails.
@Suite(
    "network namespaces, veths, bridge and DNAT on the real kernel",
    .enabled(if: geteuid() == 0, "needs root: creates network namespaces, a bridge and iptables rules"),
    .timeLimit(.minutes(3))
)
struct NamespaceNetworkTests {
    static func http(_ hostPort: Int32, to containerPort: Int32 = 8080) -> PortMapping {
        PortMapping(label: "http", hostPort: hostPort, containerPort: containerPort)
    }

    @Test("bridge setup: namespace, address, default route, and the host port reachable on loopback and from afar")
    func bridgeSetUp() async throws {
        try await NetworkBed.with(remote: true) { bed in
            let manager = try bed.manager()
            let id = bed.newAllocID()
            let hostPort = NetworkBed.newHostPort()
            let network = try await manager.setUp(
                NetworkRequest(allocID: id, mode: .bridge, ports: [Self.http(hostPort)]))
            let record = try #require(await manager.record(allocID: id))
            #expect(record.address == bed.address(2))
            #expect(network.address == record.address)
            #expect(network.namespacePath == "/var/run/netns/\(id)")
            #expect(network.interfaceName == "eth0")
            #expect(HostTools.namespaceExists(id))
            #expect(try bed.store.networkRecords() == [record])

            let address = try #require(network.address)
            let addresses = try await HostTools.output("ip", ["-n", id, "-4", "-o", "addr", "show", "dev", "eth0"])
            #expect(addresses.contains("inet \(address)/24 "))
            let routes = try await HostTools.output("ip", ["-n", id, "-4", "route", "show", "default"])
            #expect(routes.contains("default via \(bed.subnet.gateway) dev eth0"))
            let veth = NetworkManager.hostInterfaceName(allocID: id)
            #expect(try await HostTools.ports(of: bed.bridge) == [veth])
            #expect(try await HostTools.dnatLines(bridge: bed.bridge, allocID: id).count == 2)

            let token = "token-" + HostTools.randomHex(8)
            try await bed.startServer(namespace: id, port: 8080, token: token)
            #expect(await HostTools.fetch(host: "127.0.0.1", port: hostPort) == token)
            let remote = try bed.remote
            #expect(await HostTools.fetch(host: remote.hostAddress, port: hostPort, from: remote.namespace) == token)
            // Only the mapped host port is forwarded.
            #expect(await HostTools.fetch(host: remote.hostAddress, port: 8080, from: remote.namespace) == nil)
        }
    }

    @Test("UDP is forwarded like TCP: a datagram to the host port reaches the allocation and the reply comes back")
    func udpForwarding() async throws {
        try await NetworkBed.with(remote: true) { bed in
            let manager = try bed.manager()
            let id = bed.newAllocID()
            let hostPort = NetworkBed.newHostPort()
            _ = try await manager.setUp(
                NetworkRequest(
                    allocID: id, mode: .bridge,
                    ports: [PortMapping(label: "dns", hostPort: hostPort, containerPort: 8053)]))
            let token = "udp-" + HostTools.randomHex(8)
            try await bed.startServer(namespace: id, port: 8053, token: token, udp: true)
            let remote = try bed.remote
            #expect(
                await HostTools.exchangeUDP(host: remote.hostAddress, port: hostPort, from: remote.namespace) == token)
        }
    }

    @Test("egress: a bridge allocation reaches another machine; a none allocation has loopback only")
    func egress() async throws {
        try await NetworkBed.with(remote: true) { bed in
            let manager = try bed.manager()
            let remote = try bed.remote
            let token = "remote-" + HostTools.randomHex(8)
            try await bed.startServer(namespace: remote.namespace, port: 9090, token: token)

            let bridged = bed.newAllocID()
            _ = try await manager.setUp(NetworkRequest(allocID: bridged, mode: .bridge))
            #expect(await HostTools.fetch(host: remote.remoteAddress, port: 9090, from: bridged) == token)

            let isolated = bed.newAllocID()
            let network = try await manager.setUp(NetworkRequest(allocID: isolated, mode: .none))
            #expect(network.mode == .none && network.address == nil && network.interfaceName == nil)
            #expect(HostTools.namespaceExists(isolated))
            #expect(await HostTools.fetch(host: remote.remoteAddress, port: 9090, from: isolated) == nil)
            let links = try await HostTools.output("ip", ["-n", isolated, "-o", "link", "show"])
            let names = links.split(separator: "\n").map {
                $0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)
            }
            #expect(names == ["lo"])
            let addresses = try await HostTools.output("ip", ["-n", isolated, "-4", "-o", "addr", "show"])
            #expect(addresses.contains("inet 127.0.0.1/8"))
            #expect(addresses.split(separator: "\n").count == 1)
            #expect(try await HostTools.output("ip", ["-n", isolated, "-4", "route", "show"]).isEmpty)
            #expect(try await HostTools.ports(of: bed.bridge).count == 1)
            #expect(try await HostTools.dnatLines(bridge: bed.bridge, allocID: isolated).isEmpty)
            // Its loopback listener is its own: the host's loopback does not lead there.
            let port = Int(NetworkBed.newHostPort())
            try await bed.startServer(namespace: isolated, port: port, token: "isolated")
            #expect(await HostTools.fetch(host: "127.0.0.1", port: Int32(port), from: isolated) == "isolated")
            #expect(await HostTools.fetch(host: "127.0.0.1", port: Int32(port)) == nil)
        }
    }

    @Test("hairpin: an allocation reaches its own host port, and so does its neighbour")
    func hairpin() async throws {
        try await NetworkBed.with(remote: true) { bed in
            let manager = try bed.manager()
            let remote = try bed.remote
            let id = bed.newAllocID()
            let neighbour = bed.newAllocID()
            let hostPort = NetworkBed.newHostPort()
            _ = try await manager.setUp(NetworkRequest(allocID: id, mode: .bridge, ports: [Self.http(hostPort)]))
            _ = try await manager.setUp(NetworkRequest(allocID: neighbour, mode: .bridge))
            let token = "self-" + HostTools.randomHex(8)
            try await bed.startServer(namespace: id, port: 8080, token: token)
            #expect(await HostTools.fetch(host: remote.hostAddress, port: hostPort, from: id) == token)
            #expect(await HostTools.fetch(host: "\(bed.subnet.gateway)", port: hostPort, from: id) == token)
            #expect(await HostTools.fetch(host: remote.hostAddress, port: hostPort, from: neighbour) == token)
        }
    }

    @Test("setting up twice changes nothing; other ports replace the rules")
    func idempotence() async throws {
        try await NetworkBed.with { bed in
            let manager = try bed.manager()
            let id = bed.newAllocID()
            let first = NetworkBed.newHostPort()
            let second = NetworkBed.newHostPort()
            let third = NetworkBed.newHostPort()
            let request = NetworkRequest(allocID: id, mode: .bridge, ports: [Self.http(first)])
            let once = try await manager.setUp(request)
            let twice = try await manager.setUp(request)
            #expect(once == twice)
            #expect(try await HostTools.dnatLines(bridge: bed.bridge, allocID: id).count == 2)
            #expect(try await HostTools.ports(of: bed.bridge).count == 1)
            // A restarted clientd confirming the same network changes nothing either.
            #expect(try await bed.manager().setUp(request) == once)
            #expect(try await HostTools.dnatLines(bridge: bed.bridge, allocID: id).count == 2)

            let two = [Self.http(second), PortMapping(label: "admin", hostPort: third, containerPort: 9000)]
            #expect(try await manager.setUp(NetworkRequest(allocID: id, mode: .bridge, ports: two)) == once)
            var lines = try await HostTools.dnatLines(bridge: bed.bridge, allocID: id)
            #expect(lines.count == 4)
            #expect(!lines.contains { $0.contains("--dport \(first) ") })
            #expect(lines.filter { $0.contains("--dport \(second) ") && $0.contains(":8080") }.count == 2)
            #expect(lines.filter { $0.contains("--dport \(third) ") && $0.contains(":9000") }.count == 2)
            #expect(await manager.record(allocID: id)?.ports == two)

            _ = try await manager.setUp(NetworkRequest(allocID: id, mode: .bridge, ports: []))
            lines = try await HostTools.dnatLines(bridge: bed.bridge, allocID: id)
            #expect(lines.isEmpty)
        }
    }

    @Test("teardown removes namespace, veth, rules and record; a second teardown does nothing")
    func tearDown() async throws {
        try await NetworkBed.with { bed in
            let manager = try bed.manager()
            let id = bed.newAllocID()
            let kept = bed.newAllocID()
            let port = NetworkBed.newHostPort()
            _ = try await manager.setUp(NetworkRequest(allocID: id, mode: .bridge, ports: [Self.http(port)]))
            _ = try await manager.setUp(
                NetworkRequest(allocID: kept, mode: .bridge, ports: [Self.http(NetworkBed.newHostPort())]))
            let veth = NetworkManager.hostInterfaceName(allocID: id)
            #expect(try await HostTools.linkExists(veth))

            try await manager.tearDown(allocID: id)
            #expect(!HostTools.namespaceExists(id))
            #expect(!(try await HostTools.output("ip", ["netns", "list"]).contains(id)))
            #expect(!(try await HostTools.linkExists(veth)))
            #expect(try await HostTools.dnatLines(bridge: bed.bridge, allocID: id).isEmpty)
            #expect(await manager.record(allocID: id) == nil)
            #expect(try bed.store.networkRecords().map(\.allocID) == [kept])
            #expect(await manager.allocationIDs == [kept])

            try await manager.tearDown(allocID: id)
            try await manager.tearDown(allocID: bed.newAllocID())
            #expect(try await HostTools.dnatLines(bridge: bed.bridge, allocID: kept).count == 2)
            #expect(HostTools.namespaceExists(kept))

            let isolated = bed.newAllocID()
            _ = try await manager.setUp(NetworkRequest(allocID: isolated, mode: .none))
            try await manager.tearDown(allocID: isolated)
            #expect(!HostTools.namespaceExists(isolated))
            #expect(await manager.record(allocID: isolated) == nil)
        }
    }
}
