import HCL

/// A daemon's agent configuration, merged from one or more Nomad-style files, with defaults filled in.
///
/// serverd, clientd and meshd read the sections that concern them; a file may hold all of them.
public struct AgentConfig: Sendable, Equatable {
    /// The node's name; nil means the host name.
    public var name: String?
    public var region = "global"
    public var datacenter = "dc1"
    /// Where the agent keeps its state; nil until a file sets it (daemons that need one say so at startup).
    public var dataDir: String?
    /// Address every listener binds to.
    public var bindAddr = "0.0.0.0"
    public var logLevel = LogLevel.info
    public var logJSON = false
    public var ports = Ports()
    public var server = Server()
    public var client = Client()
    public var tls = TLS()
    public var mesh = Mesh()
    /// `plugin "name" { ... }` blocks by plugin name.
    public var plugins: [String: Plugin] = [:]

    public init() {}

    /// Whether the raw_exec driver is enabled, by `plugin "raw_exec" { config { enabled = true } }` or by the
    /// older client option `"driver.raw_exec.enable" = "1"`.
    public var rawExecEnabled: Bool {
        if let enabled = plugins["raw_exec"]?.config["enabled"]?.asBool() { return enabled }
        if let option = client.options["driver.raw_exec.enable"] { return option == "1" || option == "true" }
        return false
    }

    /// How much the agent logs, lowest first.
    public enum LogLevel: String, Sendable, Equatable, CaseIterable {
        case trace, debug, info, warn, error
    }

    /// Listener ports.
    public struct Ports: Sendable, Equatable {
        /// HTTPS: web UI.
        public var http = 4646
        /// gRPC API of serverd.
        public var rpc = 4647
        /// Raft between servers.
        public var raft = 4648
        /// clientd's ClientFS gRPC service.
        public var client = 4649
        /// meshd's gRPC API.
        public var mesh = 8502

        public init() {}
    }

    /// The `server` block: serverd's Raft membership.
    public struct Server: Sendable, Equatable {
        public var enabled = false
        /// Servers to wait for before the first election; nil when not set.
        public var bootstrapExpect: Int?
        /// Addresses of other servers to join, retried until one answers.
        public var retryJoin: [String] = []
        /// Join attempts before giving up; 0 retries forever.
        public var retryMax = 0
        public var retryInterval = Duration.seconds(30)

        public init() {}
    }

    /// The `client` block: clientd's servers, host volumes, options and bridge network.
    public struct Client: Sendable, Equatable {
        public var enabled = false
        /// Server addresses (`host:port`) the client registers with.
        public var servers: [String] = []
        /// Host volumes by name.
        public var hostVolumes: [String: HostVolume] = [:]
        /// Driver and fingerprint options, e.g. `"driver.raw_exec.enable" = "1"`.
        public var options: [String: String] = [:]
        /// Node metadata for constraints.
        public var meta: [String: String] = [:]
        public var bridgeNetworkName = "caravan"
        public var bridgeNetworkSubnet = "172.26.64.0/20"
        /// Interface whose address is fingerprinted; nil picks the default route's.
        public var networkInterface: String?

        public init() {}
    }

    /// `host_volume "mysql" { path = "/opt/mysql/data" read_only = false }`.
    public struct HostVolume: Sendable, Equatable {
        public var name: String
        /// Absolute path on the host; clientd checks that it exists at startup.
        public var path: String
        public var readOnly: Bool

        public init(name: String, path: String, readOnly: Bool = false) {
            self.name = name
            self.path = path
            self.readOnly = readOnly
        }
    }

    /// Files of the agent's mutual-TLS identity.
    public struct TLS: Sendable, Equatable {
        public var caFile: String?
        public var certFile: String?
        public var keyFile: String?

        public init() {}
    }

    /// The `mesh` block: where meshd finds the servers and its default intention policy.
    public struct Mesh: Sendable, Equatable {
        /// Server addresses meshd watches state from.
        public var servers: [String] = []
        /// What happens to a connection no intention matches.
        public var defaultIntentionPolicy = IntentionPolicy.allow

        public init() {}
    }

    /// The decision for connections that no intention matches.
    public enum IntentionPolicy: String, Sendable, Equatable {
        case allow, deny
    }

    /// A `plugin "name" { args = [...] config { ... } }` block.
    public struct Plugin: Sendable, Equatable {
        public var args: [String] = []
        /// The plugin's own settings, as written.
        public var config: Value = .object([:])

        public init(args: [String] = [], config: Value = .object([:])) {
            self.args = args
            self.config = config
        }
    }
}
