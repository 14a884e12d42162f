import CaravanProto

extension JobValidator {
    /// Checks a group service (`taskName` nil) or a task service against the group it belongs to.
    mutating func validate(
        _ service: Caravan_V1_Service, path: String, group: Caravan_V1_TaskGroup, ports: [String: Int32],
        taskName: String?
    ) {
        let name = quoted(service.name)
        if !service.name.contains("${") && !Self.isServiceName(service.name) {
            error(
                "service name \(name) must be 1 to 63 letters, digits and dashes, starting and ending with a letter "
                    + "or digit", path, "name")
        }
        validatePortReference(service.portLabel, path: path, key: "port", ports: ports, group: group)
        let taskNames = Set(group.tasks.map(\.name))
        if taskName == nil && !service.taskName.isEmpty && !taskNames.contains(service.taskName) {
            error(
                "service \(name) names task \(quoted(service.taskName)), which is not in group \(quoted(group.name))",
                path, "task")
        }
        for (index, check) in service.checks.enumerated() {
            validate(
                check, of: service, path: JobSourceMap.child(path, "check", index), group: group, ports: ports,
                taskName: taskName)
        }
        guard service.hasConnect else { return }
        let connectPath = path + "/connect"
        if taskName != nil {
            error("connect is only allowed in a group service; move service \(name) to the group", connectPath)
            return
        }
        let connect = service.connect
        if connect.native && connect.hasSidecarService {
            error("service \(name) cannot be both native and use a sidecar_service", connectPath, "native")
        }
        if connect.native && service.taskName.isEmpty {
            error("a native connect service needs task = \"<the task that speaks mTLS>\"", path)
        }
        if connect.hasSidecarService || connect.hasSidecarTask {
            let mode = group.networks.first?.mode ?? "host"
            if mode != "bridge" && !mode.hasPrefix("cni/") {
                error(
                    "service \(name) uses a connect sidecar, which needs the group network in bridge mode, but group "
                        + "\(quoted(group.name)) uses \(quoted(mode)); add network { mode = \"bridge\" }", connectPath)
            }
        }
        if connect.hasSidecarService {
            let proxyPath = connectPath + "/sidecar_service/proxy"
            let proxy = connect.sidecarService.proxy
            if !(0...65535).contains(proxy.localServicePort) {
                error("local_service_port must be between 0 and 65535", proxyPath, "local_service_port")
            }
            for (index, exposed) in proxy.expose.paths.enumerated() {
                let exposedPath = JobSourceMap.child(proxyPath + "/expose", "path", index)
                if !exposed.path.hasPrefix("/") {
                    error(
                        "an expose path must start with \"/\", but it is \(quoted(exposed.path))", exposedPath, "path")
                }
                if exposed.listenerPort.isEmpty {
                    missing(
                        "an expose path needs listener_port naming a port of the group network", exposedPath,
                        "listener_port")
                } else {
                    validatePortReference(
                        exposed.listenerPort, path: exposedPath, key: "listener_port", ports: ports, group: group)
                }
                if !(1...65535).contains(exposed.localPathPort) {
                    error("an expose path needs local_path_port between 1 and 65535", exposedPath, "local_path_port")
                }
            }
        }
    }

    mutating func validate(
        _ check: Caravan_V1_ServiceCheck, of service: Caravan_V1_Service, path: String, group: Caravan_V1_TaskGroup,
        ports: [String: Int32], taskName: String?
    ) {
        let name = Self.describe(check, of: service)
        switch check.type {
        case .unspecified, .UNRECOGNIZED:
            missing("\(name) needs type = \"http\", \"tcp\", \"script\" or \"grpc\"", path, "type")
        case .http:
            if check.path.isEmpty { missing("\(name) needs a path, e.g. path = \"/health\"", path, "path") }
        case .script:
            if check.command.isEmpty { missing("\(name) needs a command", path, "command") }
            if taskName == nil && check.taskName.isEmpty && service.taskName.isEmpty {
                error("\(name) is a script check in a group service and needs task = \"<task to run it in>\"", path)
            }
        case .tcp, .grpc:
            break
        }
        if [.http, .tcp, .grpc].contains(check.type) && !check.hasInterval {
            missing("\(name) needs an interval, e.g. interval = \"10s\"", path, "interval")
        }
        if check.hasInterval && check.interval.nanoseconds < 1_000_000_000 {
            error("\(name): interval must be at least 1s, but it is \(check.interval.text)", path, "interval")
        }
        if check.hasTimeout && check.timeout.nanoseconds < 0 {
            error("\(name): timeout must not be negative", path, "timeout")
        }
        if !["", "http", "https"].contains(check.protocol) {
            error("check protocol must be \"http\" or \"https\", but it is \(quoted(check.protocol))", path, "protocol")
        }
        validatePortReference(check.portLabel, path: path, key: "port", ports: ports, group: group)
        if !check.taskName.isEmpty && !group.tasks.contains(where: { $0.name == check.taskName }) {
            error(
                "\(name) names task \(quoted(check.taskName)), which is not in group \(quoted(group.name))", path,
                "task")
        }
        if check.expose && !service.connect.hasSidecarService {
            error("\(name) sets expose, which needs a connect sidecar_service on its service", path, "expose")
        }
    }

    /// A port written as a label must be declared in the group network; a number is taken as is.
    mutating func validatePortReference(
        _ label: String, path: String, key: String, ports: [String: Int32], group: Caravan_V1_TaskGroup
    ) {
        guard !label.isEmpty, ports[label] == nil else { return }
        if let number = Int(label) {
            if !(1...65535).contains(number) {
                error("port \(number) must be between 1 and 65535", path, key)
            }
            return
        }
        let declared = ports.keys.sorted().map(quoted).joined(separator: ", ")
        error(
            "port \(quoted(label)) is not declared in the network block of group \(quoted(group.name))"
                + (declared.isEmpty ? "; add network { port \(quoted(label)) {} }" : " (it declares \(declared))"),
            path, key)
    }

    /// Upstream listeners must not take a port the group reserves, nor one another's.
    mutating func validateUpstreams(_ group: Caravan_V1_TaskGroup, path: String, ports: [String: Int32]) {
        var statics: [Int32: String] = [:]
        for (label, value) in ports where value != 0 { statics[value] = label }
        var bound: [String: String] = [:]
        for (serviceIndex, service) in group.services.enumerated() where service.connect.hasSidecarService {
            let proxyPath = JobSourceMap.child(path, "service", serviceIndex) + "/connect/sidecar_service/proxy"
            for (index, upstream) in service.connect.sidecarService.proxy.upstreams.enumerated() {
                let upstreamPath = JobSourceMap.child(proxyPath, "upstreams", index)
                if upstream.destinationName.isEmpty {
                    missing(
                        "an upstream needs destination_name, the service to connect to", upstreamPath,
                        "destination_name")
                }
                if upstream.localBindPort == 0 {
                    missing(
                        "upstream \(quoted(upstream.destinationName)) needs local_bind_port, the port the proxy "
                            + "listens on for it", upstreamPath, "local_bind_port")
                    continue
                }
                guard (1...65535).contains(upstream.localBindPort) else {
                    error(
                        "upstream \(quoted(upstream.destinationName)) needs local_bind_port between 1 and 65535",
                        upstreamPath, "local_bind_port")
                    continue
                }
                if let label = statics[upstream.localBindPort] {
                    error(
                        "upstream \(quoted(upstream.destinationName)) local_bind_port \(upstream.localBindPort) "
                            + "clashes with static port \(quoted(label)) of group \(quoted(group.name))", upstreamPath,
                        "local_bind_port")
                }
                let address = upstream.localBindAddress.isEmpty ? "127.0.0.1" : upstream.localBindAddress
                let key = "\(address):\(upstream.localBindPort)"
                if let other = bound[key] {
                    error(
                        "upstreams \(quoted(other)) and \(quoted(upstream.destinationName)) both bind "
                            + "local_bind_port \(upstream.localBindPort)", upstreamPath, "local_bind_port")
                } else {
                    bound[key] = upstream.destinationName
                }
            }
        }
    }

    /// `check "name"` for a named check, else `the http check of service "web"`.
    static func describe(_ check: Caravan_V1_ServiceCheck, of service: Caravan_V1_Service) -> String {
        guard check.name.isEmpty || check.name == "service: \(quoted(service.name)) check" else {
            return "check \(quoted(check.name))"
        }
        let type =
            switch check.type {
            case .http: "http "
            case .tcp: "tcp "
            case .script: "script "
            case .grpc: "grpc "
            default: ""
            }
        return "the \(type)check of service \(quoted(service.name))"
    }

    static func isServiceName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...63).contains(bytes.count) else { return false }
        func alphanumeric(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
        }
        guard let first = bytes.first, let last = bytes.last, alphanumeric(first), alphanumeric(last) else {
            return false
        }
        return bytes.allSatisfy { alphanumeric($0) || $0 == UInt8(ascii: "-") }
    }
}
