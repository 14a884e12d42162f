import HCL
import Spec
import Testing

@Suite("Agent config files decode and merge")
struct AgentConfigDecodingTests {
    @Test("the seed's client host_volume block declares mysql at /opt/mysql/data, writable")
    func seedHostVolume() throws {
        let config = try AgentConfigFixtures.decode("seed-client.hcl")
        #expect(config.client.hostVolumes == ["mysql": AgentConfig.HostVolume(name: "mysql", path: "/opt/mysql/data")])
        #expect(config.client.hostVolumes["mysql"]?.readOnly == false)
        #expect(config.client.enabled == false)
    }

    @Test("no files give the documented defaults")
    func defaults() throws {
        let config = try AgentConfigSpec.decode([])
        #expect(config == AgentConfig())
        #expect(config.name == nil)
        #expect(config.region == "global")
        #expect(config.datacenter == "dc1")
        #expect(config.bindAddr == "0.0.0.0")
        #expect(config.logLevel == .info)
        #expect(config.ports.http == 4646)
        #expect(config.ports.rpc == 4647)
        #expect(config.ports.raft == 4648)
        #expect(config.ports.client == 4649)
        #expect(config.ports.mesh == 8502)
        #expect(config.client.bridgeNetworkName == "caravan")
        #expect(config.client.bridgeNetworkSubnet == "172.26.64.0/20")
        #expect(config.mesh.defaultIntentionPolicy == .allow)
        #expect(!config.rawExecEnabled)
    }

    @Test("a full server config reads every field")
    func server() throws {
        let config = try AgentConfigFixtures.decode("server.hcl")
        #expect(config.name == "server-1")
        #expect(config.region == "europe")
        #expect(config.datacenter == "dc1")
        #expect(config.dataDir == "/var/lib/caravan/server")
        #expect(config.bindAddr == "10.0.0.11")
        #expect(config.logLevel == .info)
        #expect(config.logJSON)
        #expect(config.ports.http == 4646)
        #expect(config.ports.rpc == 4647)
        #expect(config.ports.raft == 4648)
        #expect(config.server.enabled)
        #expect(config.server.bootstrapExpect == 3)
        #expect(config.server.retryJoin == ["10.0.0.12:4648", "10.0.0.13:4648"])
        #expect(config.server.retryMax == 5)
        #expect(config.server.retryInterval == .seconds(15))
        #expect(config.tls.caFile == "/etc/caravan/tls/ca.pem")
        #expect(config.tls.certFile == "/etc/caravan/tls/server.pem")
        #expect(config.tls.keyFile == "/etc/caravan/tls/server-key.pem")
        #expect(!config.client.enabled)
    }

    @Test("a full client config reads every field, and raw_exec is enabled through its plugin block")
    func client() throws {
        let config = try AgentConfigFixtures.decode("client.hcl")
        #expect(config.name == "worker-1")
        #expect(config.dataDir == "/var/lib/caravan/client")
        #expect(config.logLevel == .debug)
        #expect(config.ports.client == 4649)
        let client = config.client
        #expect(client.enabled)
        #expect(client.servers == ["10.0.0.11:4647", "10.0.0.12:4647", "10.0.0.13:4647"])
        #expect(client.networkInterface == "eth0")
        #expect(client.bridgeNetworkName == "caravan")
        #expect(client.bridgeNetworkSubnet == "172.26.64.0/20")
        #expect(
            client.hostVolumes == [
                "mysql": AgentConfig.HostVolume(name: "mysql", path: "/opt/mysql/data", readOnly: false),
                "certs": AgentConfig.HostVolume(name: "certs", path: "/etc/ssl/certs", readOnly: true),
            ])
        #expect(client.options == ["driver.allowlist": "exec,raw_exec"])
        #expect(client.meta == ["rack": "r1", "node.class": "web"])
        #expect(config.plugins["raw_exec"]?.config == ["enabled": true])
        #expect(config.rawExecEnabled)
        #expect(config.mesh.servers == ["10.0.0.11:4647"])
        #expect(config.mesh.defaultIntentionPolicy == .deny)
        #expect(config.tls.certFile == "/etc/caravan/tls/client.pem")
    }

    @Test("the JSON form of the client config decodes to the same AgentConfig")
    func clientJSON() throws {
        #expect(try AgentConfigFixtures.decode("client.json") == AgentConfigFixtures.decode("client.hcl"))
    }

    @Test("later files win for scalars and lists, maps merge, host volumes and plugins merge by name")
    func merging() throws {
        let config = try AgentConfigFixtures.decode("base.hcl", "override.hcl")
        #expect(config.region == "europe")
        #expect(config.dataDir == "/var/lib/caravan")
        #expect(config.logLevel == .debug)
        #expect(config.ports.http == 8646)
        #expect(config.ports.rpc == 4647)
        #expect(config.client.enabled)
        #expect(config.client.servers == ["10.0.0.21:4647", "10.0.0.22:4647"])
        #expect(config.client.meta == ["rack": "r1", "zone": "b", "gpu": "none"])
        #expect(
            config.client.hostVolumes == [
                "mysql": AgentConfig.HostVolume(name: "mysql", path: "/srv/mysql", readOnly: true),
                "certs": AgentConfig.HostVolume(name: "certs", path: "/etc/ssl/certs", readOnly: true),
            ])
        #expect(config.plugins["raw_exec"]?.config == ["enabled": true, "no_cgroups": true])
        #expect(config.rawExecEnabled)

        let reversed = try AgentConfigFixtures.decode("override.hcl", "base.hcl")
        #expect(reversed.logLevel == .info)
        #expect(reversed.client.servers == ["10.0.0.11:4647"])
        #expect(reversed.client.hostVolumes["mysql"]?.path == "/opt/mysql/data")
        #expect(!reversed.rawExecEnabled)
    }

    @Test("the older client option driver.raw_exec.enable also enables raw_exec")
    func rawExecOption() throws {
        let source = SpecSource(
            filename: "c.hcl", text: "client {\n  options = { \"driver.raw_exec.enable\" = \"1\" }\n}\n")
        #expect(try AgentConfigSpec.decode(source).rawExecEnabled)
    }
}
