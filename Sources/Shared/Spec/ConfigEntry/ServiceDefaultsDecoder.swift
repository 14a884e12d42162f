import CaravanProto
import HCL

/// Reads the body of a `service-defaults` entry.
enum ServiceDefaultsDecoder {

    static let keys = ["Protocol", "MeshGateway", "Expose", "ExternalSNI", "UpstreamConfig"]
    static let protocols = ["tcp", "http", "http2", "grpc"]

    static func decode(_ reader: BodyReader, _ problems: inout DiagnosticCollector) -> Caravan_V1_ServiceDefaults {
        var defaults = Caravan_V1_ServiceDefaults()
        if let value = problems.choice(reader, "Protocol", protocols) { defaults.protocol = value }
        if let mode = meshGateway(reader, &problems) { defaults.meshGateway = mode }
        if let expose = problems.block(reader, "Expose") { defaults.expose = self.expose(expose.body, &problems) }
        if let sni = problems.string(reader, "ExternalSNI") { defaults.externalSni = sni }
        if let config = problems.block(reader, "UpstreamConfig") {
            defaults.upstreamConfig = upstreamConfiguration(config.body, &problems)
        }
        return defaults
    }

    /// `MeshGateway { Mode = "local" }`.
    static func meshGateway(_ reader: BodyReader, _ problems: inout DiagnosticCollector) -> Caravan_V1_MeshGatewayMode?
    {
        guard let block = problems.block(reader, "MeshGateway") else { return nil }
        problems.checkKeys(block.body, ["Mode"])
        guard let mode = problems.string(block.body, "Mode"), !mode.isEmpty else { return nil }
        switch mode {
        case "none": return Caravan_V1_MeshGatewayMode.none
        case "local": return .local
        case "remote": return .remote
        default:
            problems.add(
                "Mode must be \"none\", \"local\" or \"remote\", but it is \"\(mode)\"",
                at: SpecDecoding.valueRange(block.body, "Mode"))
            return nil
        }
    }

    /// `Expose { Checks = true, Paths = [{ Path, LocalPathPort, ListenerPort, Protocol }] }`.
    static func expose(_ reader: BodyReader, _ problems: inout DiagnosticCollector) -> Caravan_V1_ExposeConfig {
        problems.checkKeys(reader, ["Checks", "Paths"])
        var expose = Caravan_V1_ExposeConfig()
        expose.checks = problems.bool(reader, "Checks") ?? false
        for element in problems.blocks(reader, "Paths") {
            let body = element.body
            problems.checkKeys(body, ["Path", "LocalPathPort", "ListenerPort", "Protocol"])
            var path = Caravan_V1_ExposePath()
            if let text = problems.string(body, "Path") {
                if !text.hasPrefix("/") {
                    problems.add(
                        "Path must start with \"/\", but it is \"\(text)\"", at: SpecDecoding.valueRange(body, "Path")
                    )
                }
                path.path = text
            } else if !body.has("Path") {
                problems.add("an exposed path needs a Path", at: element.range)
            }
            if let port = problems.int(body, "LocalPathPort", in: 1...65535) { path.localPathPort = Int32(port) }
            if let listener = problems.string(body, "ListenerPort") { path.listenerPort = listener }
            if let value = problems.choice(body, "Protocol", ["http", "http2"]) { path.protocol = value }
            expose.paths.append(path)
        }
        return expose
    }

    /// `UpstreamConfig { Defaults { ... } Overrides = [{ Name = "db", ... }] }`.
    static func upstreamConfiguration(_ reader: BodyReader, _ problems: inout DiagnosticCollector)
        -> Caravan_V1_UpstreamConfiguration
    {
        problems.checkKeys(reader, ["Defaults", "Overrides"])
        var configuration = Caravan_V1_UpstreamConfiguration()
        if let defaults = problems.block(reader, "Defaults") {
            configuration.defaults = upstream(defaults.body, isOverride: false, &problems)
        }
        for element in problems.blocks(reader, "Overrides") {
            let upstream = upstream(element.body, isOverride: true, &problems)
            if upstream.name.isEmpty && !element.body.has("Name") {
                problems.add("an upstream override needs a Name", at: element.range)
            }
            configuration.overrides.append(upstream)
        }
        return configuration
    }

    static func upstream(_ reader: BodyReader, isOverride: Bool, _ problems: inout DiagnosticCollector)
        -> Caravan_V1_UpstreamConfig
    {
        let common = [
            "Protocol", "ConnectTimeoutMs", "ConnectTimeout", "Limits", "PassiveHealthCheck", "MeshGateway",
        ]
        problems.checkKeys(reader, isOverride ? ["Name", "Namespace"] + common : common)
        var upstream = Caravan_V1_UpstreamConfig()
        if isOverride {
            if let name = ConfigEntryNames.service(reader, "Name", &problems) { upstream.name = name }
            if let namespace = ConfigEntryNames.label(reader, "Namespace", &problems) { upstream.namespace = namespace }
        }
        if let value = problems.choice(reader, "Protocol", protocols) { upstream.protocol = value }
        if reader.has("ConnectTimeoutMs") && reader.has("ConnectTimeout") {
            problems.add(
                "set ConnectTimeoutMs or ConnectTimeout, not both",
                at: SpecDecoding.keyRange(reader, "ConnectTimeout"))
        }
        if let millis = problems.int(reader, "ConnectTimeoutMs", in: 0...Int(Int32.max)) {
            upstream.connectTimeout = DurationText.proto(nanoseconds: Int64(millis) * 1_000_000)
        }
        if let timeout = problems.duration(reader, "ConnectTimeout") { upstream.connectTimeout = timeout }
        if let block = problems.block(reader, "Limits") {
            let body = block.body
            problems.checkKeys(body, ["MaxConnections", "MaxPendingRequests", "MaxConcurrentRequests"])
            var limits = Caravan_V1_UpstreamLimits()
            let bounds = 0...Int(Int32.max)
            if let value = problems.int(body, "MaxConnections", in: bounds) { limits.maxConnections = Int32(value) }
            if let value = problems.int(body, "MaxPendingRequests", in: bounds) {
                limits.maxPendingRequests = Int32(value)
            }
            if let value = problems.int(body, "MaxConcurrentRequests", in: bounds) {
                limits.maxConcurrentRequests = Int32(value)
            }
            upstream.limits = limits
        }
        if let block = problems.block(reader, "PassiveHealthCheck") {
            let body = block.body
            problems.checkKeys(body, ["Interval", "MaxFailures"])
            var check = Caravan_V1_PassiveHealthCheck()
            if let interval = problems.duration(body, "Interval") { check.interval = interval }
            if let failures = problems.int(body, "MaxFailures", in: 0...Int(UInt32.max)) {
                check.maxFailures = UInt32(failures)
            }
            upstream.passiveHealthCheck = check
        }
        if let mode = meshGateway(reader, &problems) { upstream.meshGateway = mode }
        return upstream
    }
}
