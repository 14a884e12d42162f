import CaravanProto
import HCL
import SwiftProtobuf

extension JobDecoder {
    mutating func decodeConnect(_ reader: BodyReader, path: String) -> Caravan_V1_ServiceConnect? {
        guard let block = block(reader, "connect") else { return nil }
        let body = block.body
        record(body, at: path, range: block.range)
        checkKeys(body, ["native", "sidecar_service", "sidecar_task"])
        var connect = Caravan_V1_ServiceConnect()
        if let native = bool(body, "native") { connect.native = native }
        if let sidecar = self.block(body, "sidecar_service") {
            connect.sidecarService = decodeSidecarService(sidecar, path: path + "/sidecar_service")
        }
        if let task = self.block(body, "sidecar_task") {
            connect.sidecarTask = decodeSidecarTask(task, path: path + "/sidecar_task")
        }
        return connect
    }

    mutating func decodeSidecarService(_ block: BlockReader, path: String) -> Caravan_V1_SidecarService {
        let body = block.body
        record(body, at: path, range: block.range)
        checkKeys(body, ["tags", "port", "proxy"])
        var sidecar = Caravan_V1_SidecarService()
        if let tags = strings(body, "tags") { sidecar.tags = tags }
        if let port = string(body, "port") { sidecar.port = port }
        if let proxy = self.block(body, "proxy") { sidecar.proxy = decodeProxy(proxy, path: path + "/proxy") }
        return sidecar
    }

    mutating func decodeProxy(_ block: BlockReader, path: String) -> Caravan_V1_ConnectProxy {
        let body = block.body
        record(body, at: path, range: block.range)
        checkKeys(body, ["local_service_address", "local_service_port", "upstreams", "expose", "config"])
        var proxy = Caravan_V1_ConnectProxy()
        if let address = string(body, "local_service_address") { proxy.localServiceAddress = address }
        if let port = int32(body, "local_service_port") { proxy.localServicePort = port }
        for (index, upstream) in blocks(body, "upstreams").enumerated() {
            proxy.upstreams.append(decodeUpstream(upstream, path: JobSourceMap.child(path, "upstreams", index)))
        }
        if let expose = self.block(body, "expose") {
            let exposePath = path + "/expose"
            record(expose.body, at: exposePath, range: expose.range)
            checkKeys(expose.body, ["path", "checks"])
            var config = Caravan_V1_ExposeConfig()
            if let checks = bool(expose.body, "checks") { config.checks = checks }
            for (index, pathBlock) in blocks(expose.body, "path").enumerated() {
                let pathBody = pathBlock.body
                record(pathBody, at: JobSourceMap.child(exposePath, "path", index), range: pathBlock.range)
                checkKeys(pathBody, ["path", "protocol", "local_path_port", "listener_port"])
                var exposed = Caravan_V1_ExposePath()
                exposed.path = string(pathBody, "path") ?? ""
                if let scheme = choice(pathBody, "protocol", [("http", "http"), ("http2", "http2")]) {
                    exposed.protocol = scheme
                }
                if let port = int32(pathBody, "local_path_port") { exposed.localPathPort = port }
                exposed.listenerPort = string(pathBody, "listener_port") ?? ""
                config.paths.append(exposed)
            }
            proxy.expose = config
        }
        if let config = self.block(body, "config"),
            let value = diagnostics.attempt({ () throws(Diagnostics) in try config.body.asValue() })
        {
            proxy.config = value.asObject().map(StructConversion.structure) ?? Google_Protobuf_Struct()
        }
        return proxy
    }

    mutating func decodeUpstream(_ block: BlockReader, path: String) -> Caravan_V1_ConnectUpstream {
        let body = block.body
        record(body, at: path, range: block.range)
        checkKeys(
            body,
            [
                "destination_name", "local_bind_port", "datacenter", "local_bind_address", "destination_namespace",
                "mesh_gateway",
            ])
        var upstream = Caravan_V1_ConnectUpstream()
        upstream.destinationName = string(body, "destination_name") ?? ""
        upstream.localBindPort = int32(body, "local_bind_port") ?? 0
        if let datacenter = string(body, "datacenter") { upstream.datacenter = datacenter }
        if let address = string(body, "local_bind_address") { upstream.localBindAddress = address }
        if let namespace = string(body, "destination_namespace") { upstream.destinationNamespace = namespace }
        if let gateway = self.block(body, "mesh_gateway") {
            record(gateway.body, at: path + "/mesh_gateway", range: gateway.range)
            checkKeys(gateway.body, ["mode"])
            let modes: [(String, Caravan_V1_MeshGatewayMode)] = [
                ("none", .none), ("local", .local), ("remote", .remote),
            ]
            if let mode = choice(gateway.body, "mode", modes) { upstream.meshGateway = mode }
        }
        return upstream
    }

    mutating func decodeSidecarTask(_ block: BlockReader, path: String) -> Caravan_V1_SidecarTask {
        let body = block.body
        record(body, at: path, range: block.range)
        checkKeys(
            body,
            [
                "name", "driver", "user", "config", "env", "resources", "meta", "logs", "kill_timeout", "kill_signal",
                "shutdown_delay",
            ])
        var task = Caravan_V1_SidecarTask()
        if let name = string(body, "name") { task.name = name }
        if let driver = string(body, "driver") { task.driver = driver }
        if let user = string(body, "user") { task.user = user }
        if let config = decodeDriverConfig(body, path: path + "/config") { task.config = config }
        if let env = stringMap(body, "env") { task.env = env }
        if let resources = decodeResources(body, path: path + "/resources") { task.resources = resources }
        if let meta = stringMap(body, "meta") { task.meta = meta }
        if let logs = decodeLogs(body, path: path + "/logs") { task.logs = logs }
        if let timeout = duration(body, "kill_timeout") { task.killTimeout = timeout }
        if let signal = string(body, "kill_signal") { task.killSignal = signal }
        if let delay = duration(body, "shutdown_delay") { task.shutdownDelay = delay }
        return task
    }
}
