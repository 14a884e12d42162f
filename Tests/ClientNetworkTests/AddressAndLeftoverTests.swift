import ClientNetwork
import Foundation
import Testing

extension NamespaceNetworkTests {
    @Test("addresses: lowest free first, a freed one is reused, and a full subnet says so")
    func addressManagement() async throws {
        try await NetworkBed.with { bed in
            let manager = try bed.manager()
            let ids = [bed.newAllocID(), bed.newAllocID(), bed.newAllocID()]
            var addresses: [IPv4Address?] = []
            for id in ids {
                addresses.append(try await manager.setUp(NetworkRequest(allocID: id, mode: .bridge)).address)
            }
            #expect(addresses == [bed.address(2), bed.address(3), bed.address(4)])

            try await manager.tearDown(allocID: ids[1])
            let next = bed.newAllocID()
            #expect(try await manager.setUp(NetworkRequest(allocID: next, mode: .bridge)).address == bed.address(3))
            // A restarted manager knows the taken addresses from the records alone.
            let later = bed.newAllocID()
            #expect(
                try await bed.manager().setUp(NetworkRequest(allocID: later, mode: .bridge)).address == bed.address(5))
        }
        try await NetworkBed.with(prefixLength: 29) { bed in
            let manager = try bed.manager()
            #expect(bed.subnet.capacity == 5)
            var addresses: Set<IPv4Address> = []
            for _ in 0..<5 {
                let network = try await manager.setUp(NetworkRequest(allocID: bed.newAllocID(), mode: .bridge))
                if let address = network.address { addresses.insert(address) }
            }
            #expect(addresses == Set((2...6).map { bed.address($0) }))
            let overflow = bed.newAllocID()
            let error = await #expect(throws: NetworkError.self) {
                try await manager.setUp(NetworkRequest(allocID: overflow, mode: .bridge))
            }
            #expect(error?.description.contains("no free address") == true)
            #expect(await manager.record(allocID: overflow) == nil)
            #expect(!HostTools.namespaceExists(overflow))
        }
    }

    @Test("leftovers after a restart: unwanted networks and unrecorded veths and rules go, kept ones stay")
    func leftovers() async throws {
        try await NetworkBed.with { bed in
            let first = bed.newAllocID()
            let second = bed.newAllocID()
            do {
                let manager = try bed.manager()
                _ = try await manager.setUp(
                    NetworkRequest(allocID: first, mode: .bridge, ports: [Self.http(NetworkBed.newHostPort())]))
                _ = try await manager.setUp(
                    NetworkRequest(allocID: second, mode: .bridge, ports: [Self.http(NetworkBed.newHostPort())]))
            }
            // What a lost state database leaves: a veth on the bridge and a DNAT rule nobody recorded.
            let strayVeth = "cv" + HostTools.randomHex(13)
            let strayPeer = "cvtp" + HostTools.randomHex(8)
            bed.removeAtCleanUp(link: strayVeth)
            try await HostTools.output("ip", ["link", "add", strayVeth, "type", "veth", "peer", "name", strayPeer])
            try await HostTools.output("ip", ["link", "set", "dev", strayVeth, "master", bed.bridge])
            let stray = UUID().uuidString.lowercased()
            try await HostTools.output(
                "iptables",
                [
                    "-w", "-t", "nat", "-A", FirewallRules.dnatChain, "-p", "tcp", "--dport",
                    String(NetworkBed.newHostPort()), "-m", "comment", "--comment",
                    FirewallRules.allocationTag(bridge: bed.bridge, allocID: stray), "-j", "DNAT", "--to-destination",
                    "\(bed.address(200)):80",
                ])
            #expect(try await HostTools.ports(of: bed.bridge).count == 3)

            let restarted = try bed.manager()
            let cleaned = await restarted.removeLeftovers(keeping: [first])
            #expect(cleaned == [second, stray].sorted())

            #expect(!HostTools.namespaceExists(second))
            #expect(!(try await HostTools.linkExists(NetworkManager.hostInterfaceName(allocID: second))))
            #expect(try await HostTools.dnatLines(bridge: bed.bridge, allocID: second).isEmpty)
            #expect(await restarted.record(allocID: second) == nil)
            #expect(try await HostTools.dnatLines(bridge: bed.bridge, allocID: stray).isEmpty)
            #expect(!(try await HostTools.linkExists(strayVeth)))
            #expect(!(try await HostTools.linkExists(strayPeer)))

            #expect(HostTools.namespaceExists(first))
            #expect(try await HostTools.ports(of: bed.bridge) == [NetworkManager.hostInterfaceName(allocID: first)])
            #expect(try await HostTools.dnatLines(bridge: bed.bridge, allocID: first).count == 2)
            #expect(try bed.store.networkRecords().map(\.allocID) == [first])
            #expect(await restarted.removeLeftovers(keeping: [first]).isEmpty)
        }
    }
}
