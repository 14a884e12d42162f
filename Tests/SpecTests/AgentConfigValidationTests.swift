import Spec
import Testing

@Suite("Agent config validation")
struct AgentConfigValidationTests {
    /// One fixture per rule under `Fixtures/agent/invalid`, with every line decoding must report.
    static let corpus: [(String, [String])] = [
        (
            "ports.hcl",
            [
                "invalid/ports.hcl:2:10: http must be between 0 and 65535, but it is 70000",
                "invalid/ports.hcl:3:10: rpc must be between 0 and 65535, but it is -1",
                "invalid/ports.hcl:4:10: invalid value for \"raft\": a whole number is required, but got string "
                    + "\"fast\"",
            ]
        ),
        (
            "log-level.hcl",
            [
                "invalid/log-level.hcl:1:13: log_level must be \"trace\", \"debug\", \"info\", \"warn\" or \"error\", "
                    + "but it is \"verbose\""
            ]
        ),
        (
            "bootstrap-expect.hcl",
            ["invalid/bootstrap-expect.hcl:3:22: bootstrap_expect must be between 1 and 9, but it is 10"]
        ),
        (
            "host-volume.hcl",
            [
                "invalid/host-volume.hcl:4:12: host_volume \"mysql\": path must be absolute, but it is "
                    + "\"opt/mysql/data\"",
                "invalid/host-volume.hcl:6:15: host_volume \"logs\" needs a path",
            ]
        ),
        (
            "unknown-keys.hcl",
            [
                "invalid/unknown-keys.hcl:1:1: unknown attribute \"datacentre\" at the top level; expected one of: "
                    + "name, region, datacenter, data_dir, bind_addr, log_level, log_json, ports, server, client, "
                    + "tls, mesh, plugin",
                "invalid/unknown-keys.hcl:4:3: unknown attribute \"bootstrap\" in server; expected one of: enabled, "
                    + "bootstrap_expect, server_join",
                "invalid/unknown-keys.hcl:9:5: unknown attribute \"readonly\" in host_volume \"mysql\"; expected one "
                    + "of: path, read_only",
            ]
        ),
        (
            "several.json",
            [
                "invalid/several.json:2:16: log_level must be \"trace\", \"debug\", \"info\", \"warn\" or \"error\", "
                    + "but it is \"loud\"",
                "invalid/several.json:3:22: mesh must be between 0 and 65535, but it is 99999",
                "invalid/several.json:4:41: default_intention_policy must be \"allow\" or \"deny\", but it is "
                    + "\"maybe\"",
                "invalid/several.json:5:40: bridge_network_subnet must be an IPv4 CIDR block such as "
                    + "\"172.26.64.0/20\", but it is \"172.26.64.0/33\"",
            ]
        ),
    ]

    @Test("each validation rule reports file:line:col and a message", arguments: corpus)
    func rule(file: String, expected: [String]) throws {
        let errors = try AgentConfigFixtures.errors("invalid/" + file)
        #expect(errors == expected)
    }

    @Test("errors from several files are all reported, each with its own file name")
    func acrossFiles() throws {
        #expect(
            try AgentConfigFixtures.errors("invalid/log-level.hcl", "server.hcl", "invalid/bootstrap-expect.hcl") == [
                "invalid/log-level.hcl:1:13: log_level must be \"trace\", \"debug\", \"info\", \"warn\" or \"error\", "
                    + "but it is \"verbose\"",
                "invalid/bootstrap-expect.hcl:3:22: bootstrap_expect must be between 1 and 9, but it is 10",
            ])
    }

    @Test("a host volume declared twice in one file is an error at the second label")
    func duplicateVolume() {
        let text = """
            client {
              host_volume "data" { path = "/a" }
              host_volume "data" { path = "/b" }
            }
            """
        #expect(
            AgentConfigFixtures.errors([SpecSource(filename: "c.hcl", text: text)]) == [
                "c.hcl:3:15: host_volume \"data\" is declared more than once in this file"
            ])
    }

    @Test("retry_interval must be a positive duration")
    func retryInterval() {
        let text = "server {\n  server_join {\n    retry_interval = \"0s\"\n  }\n}\n"
        #expect(
            AgentConfigFixtures.errors([SpecSource(filename: "s.hcl", text: text)]) == [
                "s.hcl:3:22: retry_interval must be longer than zero"
            ])
    }
}
