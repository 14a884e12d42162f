import Testing

@testable import ClientNetwork

@Suite("IPv4 addresses and subnets")
struct IPv4Tests {
    @Test("dotted quads parse; anything else does not")
    func addresses() {
        #expect(IPv4Address("172.26.64.2")?.value == 0xAC1A_4002)
        #expect(IPv4Address("0.0.0.0")?.value == 0)
        #expect(IPv4Address("255.255.255.255")?.value == UInt32.max)
        #expect(IPv4Address("10.1.2.3")?.description == "10.1.2.3")
        for bad in [
            "1.2.3", "1.2.3.4.5", "256.0.0.1", "1..2.3", "", "a.b.c.d", "1.2.3.4 ", "+1.2.3.4", "1.2.3.-0",
            "1.2.3.0004",
        ] {
            #expect(IPv4Address(bad) == nil, "\(bad)")
        }
        #expect(IPv4Address("10.0.0.9")! < IPv4Address("10.0.0.10")!)
    }

    @Test("subnets parse with 8 to 30 prefix bits and no host bits")
    func subnets() {
        let subnet = IPv4Subnet(cidr: "10.0.0.0/24")
        #expect(subnet?.network.description == "10.0.0.0")
        #expect(subnet?.prefixLength == 24)
        #expect(subnet?.description == "10.0.0.0/24")
        for bad in [
            "10.0.0.1/24", "/31", "/7", "10.0.0.0/31", "10.0.0.0/7", "10.0.0.0", "10.0.0.0/", "10.0.0.0/+24",
            "10.0.0.0/24/1", "1.2.3/24", "256.0.0.0/8",
        ] {
            #expect(IPv4Subnet(cidr: bad) == nil, "\(bad)")
        }
        #expect(IPv4Subnet(cidr: "10.0.0.0/8") != nil)
        #expect(IPv4Subnet(cidr: "10.0.0.4/30") != nil)
    }

    @Test("gateway, broadcast, capacity and membership")
    func geometry() throws {
        let slash24 = try #require(IPv4Subnet(cidr: "172.26.64.0/24"))
        #expect(slash24.gateway.description == "172.26.64.1")
        #expect(slash24.broadcast.description == "172.26.64.255")
        #expect(slash24.capacity == 253)
        #expect(slash24.contains(IPv4Address("172.26.64.200")!))
        #expect(!slash24.contains(IPv4Address("172.26.65.1")!))
        let slash20 = try #require(IPv4Subnet(cidr: "172.26.64.0/20"))
        #expect(slash20.broadcast.description == "172.26.79.255")
        #expect(slash20.capacity == 4093)
        let slash30 = try #require(IPv4Subnet(cidr: "10.0.0.4/30"))
        #expect(slash30.gateway.description == "10.0.0.5")
        #expect(slash30.capacity == 1)
    }

    @Test("firstFree takes the lowest address past the gateway, skips taken ones, and is nil when full")
    func firstFree() throws {
        let subnet = try #require(IPv4Subnet(cidr: "10.9.0.0/29"))
        let address = { (last: UInt32) in IPv4Address(subnet.network.value + last) }
        #expect(subnet.firstFree(excluding: []) == address(2))
        #expect(subnet.firstFree(excluding: [address(2), address(3), address(5)]) == address(4))
        #expect(subnet.firstFree(excluding: [address(9)]) == address(2))
        #expect(subnet.firstFree(excluding: Set((2...5).map(address))) == address(6))
        #expect(subnet.firstFree(excluding: Set((2...6).map(address))) == nil)
        let tiny = try #require(IPv4Subnet(cidr: "10.9.0.4/30"))
        #expect(tiny.firstFree(excluding: []) == IPv4Address("10.9.0.6"))
        #expect(tiny.firstFree(excluding: [IPv4Address("10.9.0.6")!]) == nil)
    }
}

@Suite("firewall rule text and iptables -S parsing")
struct FirewallRulesTests {
    static let listing = """
        -N CARAVAN-DNAT
        -A CARAVAN-DNAT -p tcp -m tcp --dport 20001 -m comment --comment "caravan/cvt1/alloc-a" -j DNAT --to-destination 10.0.0.2:8080
        -A CARAVAN-DNAT -p udp -m udp --dport 20001 -m comment --comment "caravan/cvt1/alloc-a" -j DNAT --to-destination 10.0.0.2:8080
        -A CARAVAN-DNAT -d 192.0.2.7/32 -p tcp -m tcp --dport 20002 -m comment --comment "caravan/cvt1/alloc-b" -j DNAT --to-destination 10.0.0.3:80
        -A CARAVAN-DNAT -p tcp -m tcp --dport 20003 -m comment --comment "caravan/cvt12/alloc-c" -j DNAT --to-destination 10.1.0.2:80
        -A CARAVAN-DNAT -p tcp -m tcp --dport 20004 -m comment --comment "caravan/cvt1" -j DNAT --to-destination 10.0.0.9:80
        -A CARAVAN-DNAT -p tcp -m tcp --dport 20005 -j DNAT --to-destination 10.0.0.9:80
        """

    @Test("comments come out of quoted and unquoted -S lines")
    func comments() {
        #expect(
            FirewallRules.comment(
                of:
                    #"-A CARAVAN-DNAT -p tcp -m tcp --dport 20001 -m comment --comment "caravan/cvt1/alloc-a" -j DNAT --to-destination 10.0.0.2:8080"#
            ) == "caravan/cvt1/alloc-a")
        #expect(
            FirewallRules.comment(of: "-A CARAVAN-FORWARD -i cvt1 -m comment --comment caravan -j ACCEPT") == "caravan")
        #expect(FirewallRules.comment(of: "-A CARAVAN-FORWARD -i cvt1 -m comment --comment caravan") == "caravan")
        #expect(FirewallRules.comment(of: "-A CARAVAN-FORWARD -i cvt1 -j ACCEPT") == nil)
        #expect(FirewallRules.comment(of: #"-A X -m comment --comment "two words" -j ACCEPT"#) == "two words")
    }

    @Test("allocation IDs come from this bridge's per-allocation rules only")
    func allocationIDs() {
        #expect(FirewallRules.allocationIDs(Self.listing, bridge: "cvt1") == ["alloc-a", "alloc-b"])
        #expect(FirewallRules.allocationIDs(Self.listing, bridge: "cvt12") == ["alloc-c"])
        #expect(FirewallRules.allocationIDs(Self.listing, bridge: "cvt").isEmpty)
        #expect(FirewallRules.lines(Self.listing, taggedWith: "caravan/cvt1/alloc-a").count == 2)
        #expect(FirewallRules.lines(Self.listing, taggedWith: "caravan/cvt1").count == 1)
    }

    @Test("delete lines turn -A into -D and drop everything else")
    func deleteLines() {
        let lines = Self.listing.split(separator: "\n").map(String.init)
        let deletes = FirewallRules.deleteLines(lines)
        #expect(deletes.count == 6)
        #expect(
            deletes.first
                == #"-D CARAVAN-DNAT -p tcp -m tcp --dport 20001 -m comment --comment "caravan/cvt1/alloc-a" -j DNAT --to-destination 10.0.0.2:8080"#
        )
        #expect(FirewallRules.deleteLines(["-N CARAVAN-DNAT", "-P INPUT ACCEPT"]).isEmpty)
        #expect(
            FirewallRules.restoreScript(table: "nat", lines: ["-D A x"]) == "*nat\n-D A x\nCOMMIT\n")
    }

    @Test("a port becomes a TCP and a UDP DNAT rule, limited to the host IP when one is given")
    func allocationRules() throws {
        let address = try #require(IPv4Address("10.0.0.2"))
        let any = FirewallRules.allocationRules(
            bridge: "cvt1", allocID: "a1", address: address,
            ports: [PortMapping(label: "http", hostPort: 20001, containerPort: 8080)])
        #expect(
            any.map(\.appendLine) == [
                "-A CARAVAN-DNAT -p tcp -m tcp --dport 20001 -m comment --comment caravan/cvt1/a1 -j DNAT --to-destination 10.0.0.2:8080",
                "-A CARAVAN-DNAT -p udp -m udp --dport 20001 -m comment --comment caravan/cvt1/a1 -j DNAT --to-destination 10.0.0.2:8080",
            ])
        #expect(any.allSatisfy { $0.table == "nat" && $0.chain == FirewallRules.dnatChain })
        let pinned = FirewallRules.allocationRules(
            bridge: "cvt1", allocID: "a1", address: address,
            ports: [PortMapping(label: "http", hostPort: 20001, containerPort: 80, hostIP: IPv4Address("192.0.2.7"))])
        #expect(
            pinned.first?.appendLine
                == "-A CARAVAN-DNAT -d 192.0.2.7/32 -p tcp -m tcp --dport 20001 -m comment --comment caravan/cvt1/a1 -j DNAT --to-destination 10.0.0.2:80"
        )
        #expect(pinned.map(\.appendLine).allSatisfy { FirewallRules.comment(of: $0) == "caravan/cvt1/a1" })
        #expect(FirewallRules.allocationRules(bridge: "cvt1", allocID: "a1", address: address, ports: []).isEmpty)
    }

    @Test("a bridge's shared rules carry the bridge's tag and no allocation's")
    func bridgeRules() throws {
        let subnet = try #require(IPv4Subnet(cidr: "10.0.0.0/24"))
        let rules = FirewallRules.bridgeRules(bridge: "cvt1", subnet: subnet)
        #expect(rules.map { FirewallRules.comment(of: $0.appendLine) } == Array(repeating: "caravan/cvt1", count: 5))
        #expect(FirewallRules.allocationIDs(rules.map(\.appendLine).joined(separator: "\n"), bridge: "cvt1").isEmpty)
        #expect(rules.contains { $0.appendLine.contains("-s 127.0.0.0/8 -o cvt1") })
    }
}

@Suite("interface names")
struct InterfaceNameTests {
    @Test("the host veth name fits the kernel's 15 bytes, is stable, and differs per allocation")
    func hostInterfaceName() {
        let ids = [
            "", "a", "0b8d6c2e-31a7-4f5e-9a51-6f1e2d3c4b5a", "0b8d6c2e-31a7-4f5e-9a51-6f1e2d3c4b5b",
            String(repeating: "x", count: 64),
        ]
        let names = ids.map { NetworkManager.hostInterfaceName(allocID: $0) }
        for name in names {
            #expect(name.utf8.count == 15)
            #expect(name.hasPrefix("cv"))
            #expect(name.dropFirst(2).allSatisfy { $0.isHexDigit })
        }
        #expect(Set(names).count == ids.count)
        #expect(ids.map { NetworkManager.hostInterfaceName(allocID: $0) } == names)
    }

    @Test("names come out of ip -o link show lines, without the peer suffix")
    func interfaceNames() {
        let output = """
            7: cv0123456789abc@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master cvt1 state UP mode DEFAULT group default qlen 1000\\    link/ether 2a:1b:3c:4d:5e:6f brd ff:ff:ff:ff:ff:ff link-netns 0b8d6c2e
            9: cvaa@cvtpbb: <BROADCAST,MULTICAST> mtu 1500 qdisc noop master cvt1 state DOWN mode DEFAULT group default qlen 1000\\    link/ether 2a:1b:3c:4d:5e:70 brd ff:ff:ff:ff:ff:ff
            12: eth1: <BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue master cvt1 state UP
            """
        #expect(LinkCommands.interfaceNames(output) == ["cv0123456789abc", "cvaa", "eth1"])
        #expect(LinkCommands.interfaceNames("").isEmpty)
    }

    @Test("allocation IDs that could not name a namespace are refused")
    func safeNames() {
        #expect(NetworkManager.isSafeName("0b8d6c2e-31a7-4f5e-9a51-6f1e2d3c4b5a"))
        for bad in ["", "../etc", "a b", "a/b", String(repeating: "x", count: 65), "é"] {
            #expect(!NetworkManager.isSafeName(bad), "\(bad)")
        }
    }
}

@Suite("resolv.conf from a dns block")
struct ResolvConfTests {
    @Test("servers, searches and options become resolv.conf lines; an empty block writes nothing")
    func render() {
        #expect(
            ResolvConf.render(servers: ["10.0.0.2", "1.1.1.1"], searches: ["a.test", "b.test"], options: ["ndots:2"])
                == """
                # Written by Caravan from the group's network dns block.
                nameserver 10.0.0.2
                nameserver 1.1.1.1
                search a.test b.test
                options ndots:2

                """)
        #expect(ResolvConf.render(servers: [], searches: [], options: []) == nil)
        #expect(ResolvConf.render(servers: [], searches: ["x"], options: [])?.hasSuffix("search x\n") == true)
    }
}
