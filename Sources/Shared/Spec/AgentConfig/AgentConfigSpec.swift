import HCL

/// Decodes Nomad-style agent configuration files (HCL or JSON) and merges them in order.
///
/// Later files win for scalars and lists, maps are merged key by key, and host volumes and plugins are merged
/// by name, as Nomad merges `-config` files.
public enum AgentConfigSpec {
    /// The merged configuration, or every problem found in every file, each as `file:line:col: message`.
    public static func decode(_ sources: [SpecSource]) throws(Diagnostics) -> AgentConfig {
        var config = AgentConfig()
        var problems = DiagnosticCollector()
        for source in sources {
            guard
                let reader = problems.attempt({ () throws(Diagnostics) in
                    try SpecDecoding.document(source, keyMatching: .exact)
                })
            else { continue }
            AgentConfigDecoder.apply(reader, to: &config, &problems)
        }
        if !problems.isEmpty { throw problems.result() }
        return config
    }

    /// One file on its own, over the defaults.
    public static func decode(_ source: SpecSource) throws(Diagnostics) -> AgentConfig {
        try decode([source])
    }
}

/// Applies one file's settings over a configuration.
enum AgentConfigDecoder {

    static let topLevelKeys = [
        "name", "region", "datacenter", "data_dir", "bind_addr", "log_level", "log_json", "ports", "server", "client",
        "tls", "mesh", "plugin",
    ]

    static func apply(_ reader: BodyReader, to config: inout AgentConfig, _ problems: inout DiagnosticCollector) {
        problems.checkKeys(reader, topLevelKeys)
        if let name = nonEmpty(reader, "name", &problems) { config.name = name }
        if let region = nonEmpty(reader, "region", &problems) { config.region = region }
        if let datacenter = nonEmpty(reader, "datacenter", &problems) { config.datacenter = datacenter }
        if let dataDir = nonEmpty(reader, "data_dir", &problems) { config.dataDir = dataDir }
        if let bindAddr = nonEmpty(reader, "bind_addr", &problems) { config.bindAddr = bindAddr }
        if let level = problems.string(reader, "log_level") {
            if let parsed = AgentConfig.LogLevel(rawValue: level.lowercased()) {
                config.logLevel = parsed
            } else {
                problems.add(
                    "log_level must be "
                        + SpecDecoding.alternatives(AgentConfig.LogLevel.allCases.map(\.rawValue), quoted: true)
                        + ", but it is \"\(level)\"", at: SpecDecoding.valueRange(reader, "log_level"))
            }
        }
        if let json = problems.bool(reader, "log_json") { config.logJSON = json }
        if let block = problems.block(reader, "ports") { applyPorts(block.body, to: &config.ports, &problems) }
        if let block = problems.block(reader, "server") { applyServer(block.body, to: &config.server, &problems) }
        if let block = problems.block(reader, "client") {
            AgentClientDecoder.apply(block.body, to: &config.client, &problems)
        }
        if let block = problems.block(reader, "tls") { applyTLS(block.body, to: &config.tls, &problems) }
        if let block = problems.block(reader, "mesh") { applyMesh(block.body, to: &config.mesh, &problems) }
        applyPlugins(reader, to: &config.plugins, &problems)
    }

    /// A string that must not be empty when set.
    static func nonEmpty(_ reader: BodyReader, _ name: String, _ problems: inout DiagnosticCollector) -> String? {
        guard let text = problems.string(reader, name) else { return nil }
        guard !text.isEmpty else {
            problems.add("\(name) must not be empty", at: SpecDecoding.valueRange(reader, name))
            return nil
        }
        return text
    }

    static func applyPorts(
        _ reader: BodyReader, to ports: inout AgentConfig.Ports, _ problems: inout DiagnosticCollector
    ) {
        let names: [(String, WritableKeyPath<AgentConfig.Ports, Int>)] = [
            ("http", \.http), ("rpc", \.rpc), ("raft", \.raft), ("client", \.client), ("mesh", \.mesh),
        ]
        problems.checkKeys(reader, names.map(\.0))
        for (name, path) in names {
            if let port = problems.int(reader, name, in: 0...65535) { ports[keyPath: path] = port }
        }
    }

    static func applyServer(
        _ reader: BodyReader, to server: inout AgentConfig.Server, _ problems: inout DiagnosticCollector
    ) {
        problems.checkKeys(reader, ["enabled", "bootstrap_expect", "server_join"])
        if let enabled = problems.bool(reader, "enabled") { server.enabled = enabled }
        if let expect = problems.int(reader, "bootstrap_expect", in: 1...9) { server.bootstrapExpect = expect }
        guard let join = problems.block(reader, "server_join") else { return }
        let body = join.body
        problems.checkKeys(body, ["retry_join", "retry_max", "retry_interval"])
        if let addresses = problems.strings(body, "retry_join") { server.retryJoin = addresses }
        if let retries = problems.int(body, "retry_max", in: 0...Int(Int32.max)) { server.retryMax = retries }
        if let interval = problems.duration(body, "retry_interval") {
            if interval.seconds == 0 && interval.nanos == 0 {
                problems.add(
                    "retry_interval must be longer than zero", at: SpecDecoding.valueRange(body, "retry_interval"))
            } else {
                server.retryInterval = .seconds(interval.seconds) + .nanoseconds(interval.nanos)
            }
        }
    }

    static func applyTLS(_ reader: BodyReader, to tls: inout AgentConfig.TLS, _ problems: inout DiagnosticCollector) {
        problems.checkKeys(reader, ["ca_file", "cert_file", "key_file"])
        if let file = nonEmpty(reader, "ca_file", &problems) { tls.caFile = file }
        if let file = nonEmpty(reader, "cert_file", &problems) { tls.certFile = file }
        if let file = nonEmpty(reader, "key_file", &problems) { tls.keyFile = file }
    }

    static func applyMesh(_ reader: BodyReader, to mesh: inout AgentConfig.Mesh, _ problems: inout DiagnosticCollector)
    {
        problems.checkKeys(reader, ["servers", "default_intention_policy"])
        if let servers = problems.strings(reader, "servers") { mesh.servers = servers }
        if let policy = problems.choice(reader, "default_intention_policy", ["allow", "deny"]),
            let parsed = AgentConfig.IntentionPolicy(rawValue: policy)
        {
            mesh.defaultIntentionPolicy = parsed
        }
    }

    /// `plugin "raw_exec" { config { enabled = true } }`; a later file's settings merge into an earlier one's.
    static func applyPlugins(
        _ reader: BodyReader, to plugins: inout [String: AgentConfig.Plugin], _ problems: inout DiagnosticCollector
    ) {
        var seen: Set<String> = []
        for block in problems.labeledBlocks(reader, "plugin") {
            guard seen.insert(block.label).inserted else {
                problems.add("plugin \"\(block.label)\" is configured more than once in this file", at: block.range)
                continue
            }
            let body = block.body
            problems.checkKeys(body, ["args", "config"])
            var plugin = plugins[block.label] ?? AgentConfig.Plugin()
            if let args = problems.strings(body, "args") { plugin.args = args }
            if let config = problems.block(body, "config"),
                let value = problems.attempt({ () throws(Diagnostics) in try config.body.asValue() }),
                let settings = value.asObject()
            {
                var merged = plugin.config.asObject() ?? ObjectValue()
                for (key, setting) in settings { merged[key] = setting }
                plugin.config = .object(merged)
            }
            plugins[block.label] = plugin
        }
    }
}
