import CaravanDaemon
import CaravanServer
import ClientAgent
import Foundation
import HCL
import Mesh
import Testing

@Suite("Agent config files become flags")
struct ConfigFileArgumentsTests {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "caravan-config-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = "\(directory)/\(name)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a server config sets the flags, and command-line flags win over it")
    func serverFile() throws {
        let file = try write(
            "server.hcl",
            """
            region = "west"
            datacenter = "dc2"
            bind_addr = "127.0.0.1"
            data_dir = "/var/lib/caravan"
            ports {
              rpc = 5647
            }
            server {
              enabled = true
              bootstrap_expect = 3
              server_join {
                retry_join = ["10.0.0.2:4648", "10.0.0.3:4648"]
              }
            }
            tls {
              ca_file = "ca.pem"
              cert_file = "server.pem"
              key_file = "server-key.pem"
            }
            """
        )
        let arguments = try ConfigFileArguments.expand(["-config", file, "-dc", "dc9"], for: .server)
        let options = try ServerOptions.parse(arguments)
        #expect(options.agent.region == "west")
        #expect(options.agent.datacenter == "dc9")
        #expect(options.agent.bind == "127.0.0.1")
        #expect(options.agent.dataDir == "/var/lib/caravan")
        #expect(options.agent.caFile == "ca.pem" && options.agent.keyFile == "server-key.pem")
        #expect(options.rpcPort == 5647 && options.raftPort == 4648)
        #expect(options.bootstrapExpect == 3)
        #expect(try options.joinAddresses().map(\.description) == ["10.0.0.2:4648", "10.0.0.3:4648"])
    }

    @Test("later files win, and a client reads its own port and servers")
    func clientFiles() throws {
        let base = try write("a.hcl", "log_level = \"DEBUG\"\nports {\n  client = 5000\n}\n")
        let override = try write(
            "b.hcl",
            "ports {\n  client = 6000\n}\nclient {\n  enabled = true\n  servers = [\"10.0.0.1:4647\"]\n"
                + "  host_volume \"mysql\" {\n    path = \"/opt/mysql/data\"\n    read_only = true\n  }\n"
                + "  bridge_network_name = \"br-dev\"\n  bridge_network_subnet = \"10.77.0.0/24\"\n}\n"
                + "plugin \"raw_exec\" {\n  config {\n    enabled = true\n  }\n}\n"
        )
        let arguments = try ConfigFileArguments.expand(
            [
                "--config=\(base)", "-config", override, "-ca-file", "c", "-cert-file", "c", "-key-file", "k",
                "-data-dir", "/var/lib/caravan",
            ],
            for: .client
        )
        let options = try ClientOptions.parse(arguments)
        #expect(options.port == 6000)
        #expect(
            try options.volumes()["mysql"] == HostVolumeOption(name: "mysql", path: "/opt/mysql/data", readOnly: true))
        #expect(options.enableRawExec)
        #expect(options.bridgeNetworkName == "br-dev" && options.bridgeNetworkSubnet == "10.77.0.0/24")
        #expect(options.agent.logLevel == .debug)
        #expect(try options.servers.addresses().map(\.description) == ["10.0.0.1:4647"])
    }

    @Test("the production meshd config in deploy/ denies what no intention allows")
    func productionMeshConfig() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("deploy/config/meshd.hcl").path
        let options = try MeshOptions.parse(try ConfigFileArguments.expand(["-config", file], for: .mesh))
        #expect(options.defaultIntentionPolicy == "deny")
        #expect(options.port == 8502)
        #expect(try options.servers.addresses().count == 3)
        let defaults = try MeshOptions.parse(
            try ConfigFileArguments.expand(["-ca-file", "c", "-cert-file", "c", "-key-file", "k"], for: .mesh))
        #expect(defaults.defaultIntentionPolicy == "allow", "Consul's development default without a config")
    }

    @Test("without -config the arguments are untouched")
    func noConfig() throws {
        #expect(try ConfigFileArguments.expand(["-port", "1"], for: .mesh) == ["-port", "1"])
    }

    @Test("a bad config file is reported with file:line:col, and a missing one by name")
    func badFile() throws {
        let file = try write("bad.hcl", "ports {\n  rpc = \"many\"\n}\n")
        #expect {
            try ConfigFileArguments.expand(["-config", file], for: .server)
        } throws: { error in
            "\(error)".hasPrefix("\(file):2:")
        }
        #expect {
            try ConfigFileArguments.expand(["-config", "\(directory)/nope.hcl"], for: .server)
        } throws: { error in
            "\(error)" == "\(directory)/nope.hcl:1:1: cannot read the agent config file"
        }
    }
}
