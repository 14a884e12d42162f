import CaravanProto
import HCL
import SwiftProtobuf

extension JobDecoder {
    static let serviceKeys = [
        "name", "port", "tags", "canary_tags", "meta", "address_mode", "task", "check", "check_restart", "connect",
        "enable_tag_override", "provider",
    ]
    static let checkKeys = [
        "type", "name", "path", "protocol", "method", "interval", "timeout", "port", "command", "args", "header",
        "expose", "initial_status", "grpc_service", "tls_skip_verify", "task", "check_restart",
    ]

    mutating func decodeServices(_ reader: BodyReader, owner: String) -> [Caravan_V1_Service] {
        var services: [Caravan_V1_Service] = []
        for (index, block) in blocks(reader, "service").enumerated() {
            services.append(decodeService(block, path: JobSourceMap.child(owner, "service", index)))
        }
        return services
    }

    mutating func decodeService(_ block: BlockReader, path: String) -> Caravan_V1_Service {
        let body = block.body
        record(body, at: path, range: block.range)
        checkKeys(body, Self.serviceKeys)
        var service = Caravan_V1_Service()
        if let name = string(body, "name") { service.name = name }
        if let port = string(body, "port") { service.portLabel = port }
        if let tags = strings(body, "tags") { service.tags = tags }
        if let tags = strings(body, "canary_tags") { service.canaryTags = tags }
        if let meta = stringMap(body, "meta") { service.meta = meta }
        let modes: [(String, Caravan_V1_Service.AddressMode)] = [
            ("auto", .auto), ("host", .host), ("driver", .driver), ("alloc", .alloc),
        ]
        if let mode = choice(body, "address_mode", modes) { service.addressMode = mode }
        if let task = string(body, "task") { service.taskName = task }
        if let override = bool(body, "enable_tag_override") { service.enableTagOverride = override }
        // Nomad chooses between its own catalog and Consul's; Caravan has one catalog, so either means it.
        _ = choice(body, "provider", [("consul", true), ("nomad", true)])
        let restart = decodeCheckRestart(body, path: path + "/check_restart")
        for (index, check) in blocks(body, "check").enumerated() {
            var decoded = decodeCheck(check, path: JobSourceMap.child(path, "check", index))
            if let restart, !decoded.hasCheckRestart { decoded.checkRestart = restart }
            service.checks.append(decoded)
        }
        if let connect = decodeConnect(body, path: path + "/connect") { service.connect = connect }
        return service
    }

    mutating func decodeCheck(_ block: BlockReader, path: String) -> Caravan_V1_ServiceCheck {
        let body = block.body
        record(body, at: path, range: block.range)
        checkKeys(body, Self.checkKeys)
        var check = Caravan_V1_ServiceCheck()
        let types: [(String, Caravan_V1_CheckType)] = [
            ("http", .http), ("tcp", .tcp), ("script", .script), ("grpc", .grpc),
        ]
        if let type = choice(body, "type", types) { check.type = type }
        if let name = string(body, "name") { check.name = name }
        if let path = string(body, "path") { check.path = path }
        if let scheme = string(body, "protocol") { check.protocol = scheme }
        if let method = string(body, "method") { check.method = method }
        if let interval = duration(body, "interval") { check.interval = interval }
        if let timeout = duration(body, "timeout") { check.timeout = timeout }
        if let port = string(body, "port") { check.portLabel = port }
        if let command = string(body, "command") { check.command = command }
        if let args = strings(body, "args") { check.args = args }
        if let expose = bool(body, "expose") { check.expose = expose }
        let statuses = [("passing", "passing"), ("warning", "warning"), ("critical", "critical")]
        if let status = choice(body, "initial_status", statuses) { check.initialStatus = status }
        if let service = string(body, "grpc_service") { check.grpcService = service }
        if let skip = bool(body, "tls_skip_verify") { check.tlsSkipVerify = skip }
        if let task = string(body, "task") { check.taskName = task }
        if let restart = decodeCheckRestart(body, path: path + "/check_restart") { check.checkRestart = restart }
        if body.has("header") {
            check.header = decodeHeader(body)
        }
        return check
    }

    /// `header { Name = ["value", ...] }`; a single string is taken as a one-value list.
    mutating func decodeHeader(_ body: BodyReader) -> [String: Caravan_V1_HeaderValues] {
        guard let value = diagnostics.attempt({ () throws(Diagnostics) in try body.attribute("header") }) ?? nil else {
            return [:]
        }
        let range = SpecDecoding.valueRange(body, "header")
        let objects: [ObjectValue]
        if let object = value.asObject() {
            objects = [object]
        } else if let list = value.asArray(), list.allSatisfy({ $0.asObject() != nil }) {
            objects = list.compactMap { $0.asObject() }
        } else {
            diagnostics.add(
                "invalid value for \"header\": a map of lists of strings is required, but got \(value.phrase)",
                at: range)
            return [:]
        }
        var header: [String: Caravan_V1_HeaderValues] = [:]
        for object in objects {
            for (name, member) in object {
                var values: [String]?
                if let single = member.asString() {
                    values = [single]
                } else if let list = member.asArray() {
                    let texts = list.compactMap { $0.asString() }
                    values = texts.count == list.count ? texts : nil
                }
                guard let values else {
                    diagnostics.add(
                        "invalid value for header \(quoted(name)): a list of strings is required, but got "
                            + member.phrase, at: range)
                    continue
                }
                header[name, default: Caravan_V1_HeaderValues()].values.append(contentsOf: values)
            }
        }
        return header
    }

    mutating func decodeCheckRestart(_ reader: BodyReader, path: String) -> Caravan_V1_CheckRestart? {
        guard let block = block(reader, "check_restart") else { return nil }
        record(block.body, at: path, range: block.range)
        checkKeys(block.body, ["limit", "grace", "ignore_warnings"])
        var restart = Caravan_V1_CheckRestart()
        if let limit = int32(block.body, "limit") { restart.limit = limit }
        if let grace = duration(block.body, "grace") { restart.grace = grace }
        if let ignore = bool(block.body, "ignore_warnings") { restart.ignoreWarnings = ignore }
        return restart
    }
}
