import ArgumentParser
import CaravanDaemon
import CaravanServer
import ClientAgent
import Mesh
import Proxy
import Testing

@Suite("HashiCorp-style flags")
struct FlagParsingTests {
    let tls = ["-ca-file", "ca.pem", "-cert-file", "c.pem", "-key-file", "k.pem"]
    /// serverd also needs a data dir for its Raft log.
    var serverFlags: [String] { tls + ["-data-dir", "/var/lib/caravan"] }
    /// clientd too: its state and the allocation directories live there.
    var clientFlags: [String] { tls + ["-data-dir", "/var/lib/caravan"] }

    @Test("clientd: -data-dir is required; host volumes, meta and raw_exec have flags")
    func clientFlagsParse() throws {
        #expect(throws: (any Error).self) { try ClientOptions.parse(tls) }
        let options = try ClientOptions.parse(
            clientFlags + [
                "-host-volume", "mysql=/opt/mysql/data", "-host-volume", "certs=/etc/ssl:ro", "-meta", "rack=r1",
                "-enable-raw-exec", "-gc-max-allocs", "5",
            ])
        #expect(
            try options.volumes() == [
                "mysql": HostVolumeOption(name: "mysql", path: "/opt/mysql/data", readOnly: false),
                "certs": HostVolumeOption(name: "certs", path: "/etc/ssl", readOnly: true),
            ])
        #expect(options.metaMap == ["rack": "r1"] && options.enableRawExec && options.gcMaxAllocs == 5)
        for bad in [["-host-volume", "mysql"], ["-host-volume", "mysql=relative"], ["-meta", "novalue"]] {
            #expect(throws: (any Error).self, "\(bad)") { try ClientOptions.parse(clientFlags + bad) }
        }
    }

    @Test("clientd: the bridge network's name and subnet are checked before anything starts")
    func bridgeNetworkFlags() throws {
        let defaults = try ClientOptions.parse(clientFlags).bridgeNetwork()
        #expect(defaults.bridge == "caravan" && defaults.subnet.description == "172.26.64.0/20")
        let custom = try ClientOptions.parse(
            clientFlags + ["-bridge-network-name", "br-test", "-bridge-network-subnet", "10.9.0.0/24"]
        ).bridgeNetwork()
        #expect(custom.bridge == "br-test" && custom.subnet.capacity == 253)
        for bad in [
            ["-bridge-network-name", "a-name-longer-than-15"], ["-bridge-network-name", "bad name"],
            ["-bridge-network-subnet", "10.9.0.1/24"], ["-bridge-network-subnet", "10.9.0.0/31"],
            ["-bridge-network-subnet", "fd00::/64"],
        ] {
            #expect(throws: (any Error).self, "\(bad)") { try ClientOptions.parse(clientFlags + bad) }
        }
    }

    @Test("defaults match the documented ports and names")
    func defaults() throws {
        let server = try ServerOptions.parse(serverFlags)
        #expect(server.rpcPort == 4647 && server.raftPort == 4648 && server.httpPort == 4646)
        #expect(server.agent.region == "global" && server.agent.datacenter == "dc1" && server.agent.bind == "0.0.0.0")
        #expect(server.agent.logLevel == .info && !server.agent.logJSON)
        #expect(try ClientOptions.parse(clientFlags).port == 4649)
        #expect(try MeshOptions.parse(tls).port == 8502)
        #expect(try ProxyOptions.parse(tls).port == 0)
    }

    @Test("one dash, two dashes and name=value all work")
    func dashes() throws {
        let options = try ServerOptions.parse(
            serverFlags + ["-rpc-port", "1", "--raft-port", "2", "-http-port=3", "--region=west", "-join", "a:1,b"]
        )
        #expect(options.rpcPort == 1 && options.raftPort == 2 && options.httpPort == 3)
        #expect(options.agent.region == "west")
        #expect(try options.joinAddresses().map(\.description) == ["a:1", "b:4648"])
    }

    @Test("-servers takes a list with default ports")
    func servers() throws {
        let options = try ClientOptions.parse(clientFlags + ["-servers", "10.0.0.1,10.0.0.2:5000"])
        #expect(try options.servers.addresses().map(\.description) == ["10.0.0.1:4647", "10.0.0.2:5000"])
    }

    @Test(
        "bad values are rejected with the flag named",
        arguments: [
            (["-rpc-port", "65536"], "-rpc-port 65536: must be from 0 to 65535"),
            (["-bootstrap-expect", "0"], "-bootstrap-expect 0: must be from 1 to 9"),
            (["-region", "West!"], "-region \"West!\""),
            (["-join", "a:b"], "-join: invalid address \"a:b\""),
            (["-log-level", "loud"], "loud"),
            (["-bind", "127.0.0.1:80"], "-bind \"127.0.0.1:80\": not an IP address"),
            (["-bind", "localhost"], "-bind \"localhost\": not an IP address"),
        ])
    func badValues(flags: [String], message: String) {
        #expect {
            try ServerOptions.parse(serverFlags + flags)
        } throws: { error in
            ServerOptions.message(for: error).contains(message)
        }
    }

    @Test("serverd requires a data dir and a positive snapshot threshold")
    func serverNeedsDataDir() {
        #expect {
            try ServerOptions.parse(tls)
        } throws: { error in
            ServerOptions.message(for: error).contains("-data-dir is required")
        }
        #expect(throws: (any Error).self) { try ServerOptions.parse(serverFlags + ["-raft-snapshot-threshold", "0"]) }
    }

    @Test("the TLS files are required")
    func tlsRequired() {
        #expect {
            try MeshOptions.parse(["-port", "1"])
        } throws: { error in
            MeshOptions.message(for: error).contains("-ca-file")
        }
    }
}
