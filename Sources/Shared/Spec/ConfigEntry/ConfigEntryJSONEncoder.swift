import CaravanProto

/// Writes a config entry as Consul's JSON (CamelCase keys, `Kind` and `Name` first, durations as `"5s"`), the
/// form `ctl config read` prints.
///
/// The output decodes back with `ConfigEntrySpec` to an equal entry, so `config read` output can be edited and
/// given to `config write`. For that reason the Raft indexes and the source position are left out: they are not
/// part of what a user writes.
public enum ConfigEntryJSONEncoder {
    /// The entry as indented JSON, members equal to their default left out.
    public static func encode(_ entry: Caravan_V1_ConfigEntry) -> String {
        var object = OrderedJSONObject()
        object.add("Kind", entry.kind)
        object.add("Name", entry.name)
        object.add("Namespace", entry.namespace)
        var body: [(String, OrderedJSON)] = []
        switch entry.body {
        case .serviceDefaults(let defaults): body = ServiceDefaultsJSON.members(defaults)
        case .serviceRouter(let router): body = ServiceRouterJSON.members(router)
        case .serviceSplitter(let splitter): body = [("Splits", .array(splitter.splits.map(split)))]
        case .serviceResolver(let resolver): body = ServiceResolverJSON.members(resolver)
        case .serviceIntentions(let intentions): body = [("Sources", .array(intentions.sources.map(source)))]
        case nil: break
        }
        for (key, value) in body { object.add(key, value) }
        object.add("Meta", map: entry.meta)
        return object.json.rendered()
    }

    static func split(_ split: Caravan_V1_ServiceSplit) -> OrderedJSON {
        var object = OrderedJSONObject()
        object.add("Weight", .float(split.weight))
        object.add("Service", split.service)
        object.add("ServiceSubset", split.serviceSubset)
        object.add("Namespace", split.namespace)
        return object.json
    }

    static func source(_ source: Caravan_V1_SourceIntention) -> OrderedJSON {
        var object = OrderedJSONObject()
        object.add("Name", source.name)
        object.add("Namespace", source.namespace)
        object.add("Action", action(source.action))
        if !source.permissions.isEmpty { object.add("Permissions", .array(source.permissions.map(permission))) }
        object.add("Precedence", source.precedence)
        object.add("Description", source.description_p)
        object.add("Meta", map: source.meta)
        return object.json
    }

    static func permission(_ permission: Caravan_V1_IntentionPermission) -> OrderedJSON {
        var object = OrderedJSONObject()
        object.add("Action", action(permission.action))
        if permission.hasHTTP {
            var http = OrderedJSONObject()
            path(
                &http, exact: permission.http.pathExact, prefix: permission.http.pathPrefix,
                regex: permission.http.pathRegex)
            http.add("Methods", strings: permission.http.methods)
            headers(&http, permission.http.header)
            object.add("HTTP", http.json)
        }
        return object.json
    }

    /// `"allow"`, `"deny"`, or "" (left out) when unset.
    static func action(_ action: Caravan_V1_IntentionAction) -> String {
        switch action {
        case .allow: "allow"
        case .deny: "deny"
        default: ""
        }
    }

    static func path(_ object: inout OrderedJSONObject, exact: String, prefix: String, regex: String) {
        object.add("PathExact", exact)
        object.add("PathPrefix", prefix)
        object.add("PathRegex", regex)
    }

    static func headers(_ object: inout OrderedJSONObject, _ headers: [Caravan_V1_HTTPHeaderMatch]) {
        guard !headers.isEmpty else { return }
        object.add(
            "Header",
            .array(
                headers.map { header in
                    var match = OrderedJSONObject()
                    match.add("Name", header.name)
                    match.add("Present", header.present)
                    match.add("Exact", header.exact)
                    match.add("Prefix", header.prefix)
                    match.add("Suffix", header.suffix)
                    match.add("Regex", header.regex)
                    match.add("Invert", header.invert)
                    return match.json
                }))
    }

    static func meshGateway(_ mode: Caravan_V1_MeshGatewayMode) -> OrderedJSON? {
        let name: String
        switch mode {
        case .none: name = "none"
        case .local: name = "local"
        case .remote: name = "remote"
        default: return nil
        }
        return .object([("Mode", .string(name))])
    }
}

/// The body of a `service-defaults` entry.
enum ServiceDefaultsJSON {
    static func members(_ defaults: Caravan_V1_ServiceDefaults) -> [(String, OrderedJSON)] {
        var object = OrderedJSONObject()
        object.add("Protocol", defaults.protocol)
        if let mode = ConfigEntryJSONEncoder.meshGateway(defaults.meshGateway) { object.add("MeshGateway", mode) }
        if defaults.hasExpose {
            var expose = OrderedJSONObject()
            expose.add("Checks", defaults.expose.checks)
            if !defaults.expose.paths.isEmpty {
                expose.add("Paths", .array(defaults.expose.paths.map(path)))
            }
            object.add("Expose", expose.json)
        }
        object.add("ExternalSNI", defaults.externalSni)
        if defaults.hasUpstreamConfig {
            var config = OrderedJSONObject()
            let upstreams = defaults.upstreamConfig
            if !upstreams.overrides.isEmpty { config.add("Overrides", .array(upstreams.overrides.map(upstream))) }
            if upstreams.hasDefaults { config.add("Defaults", upstream(upstreams.defaults)) }
            object.add("UpstreamConfig", config.json)
        }
        return object.members
    }

    static func path(_ path: Caravan_V1_ExposePath) -> OrderedJSON {
        var object = OrderedJSONObject()
        object.add("Path", path.path)
        object.add("LocalPathPort", path.localPathPort)
        object.add("ListenerPort", path.listenerPort)
        object.add("Protocol", path.protocol)
        return object.json
    }

    /// Consul writes `ConnectTimeoutMs`; a timeout that is not whole milliseconds is written as a duration.
    static func upstream(_ upstream: Caravan_V1_UpstreamConfig) -> OrderedJSON {
        var object = OrderedJSONObject()
        object.add("Name", upstream.name)
        object.add("Namespace", upstream.namespace)
        object.add("Protocol", upstream.protocol)
        if upstream.hasConnectTimeout {
            let timeout = upstream.connectTimeout
            let wholeMillis =
                timeout.nanos % 1_000_000 == 0 && timeout.seconds >= 0
                && timeout.seconds < Int64(Int32.max) / 1000
            let millis = timeout.seconds * 1000 + Int64(timeout.nanos / 1_000_000)
            if wholeMillis && millis <= Int64(Int32.max) {
                object.add("ConnectTimeoutMs", .integer(millis))
            } else {
                object.add("ConnectTimeout", .duration(timeout))
            }
        }
        if upstream.hasLimits {
            var limits = OrderedJSONObject()
            let values = upstream.limits
            if values.hasMaxConnections { limits.add("MaxConnections", .integer(values.maxConnections)) }
            if values.hasMaxPendingRequests { limits.add("MaxPendingRequests", .integer(values.maxPendingRequests)) }
            if values.hasMaxConcurrentRequests {
                limits.add("MaxConcurrentRequests", .integer(values.maxConcurrentRequests))
            }
            object.add("Limits", limits.json)
        }
        if upstream.hasPassiveHealthCheck {
            var check = OrderedJSONObject()
            let values = upstream.passiveHealthCheck
            check.add("Interval", values.interval, present: values.hasInterval)
            check.add("MaxFailures", values.maxFailures)
            object.add("PassiveHealthCheck", check.json)
        }
        if let mode = ConfigEntryJSONEncoder.meshGateway(upstream.meshGateway) { object.add("MeshGateway", mode) }
        return object.json
    }
}
