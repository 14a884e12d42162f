import CaravanProto
import HCL
import SwiftProtobuf

extension JobDecoder {
    static let taskKeys = [
        "driver", "user", "config", "env", "meta", "resources", "kill_timeout", "kill_signal", "logs", "template",
        "volume_mount", "lifecycle", "dispatch_payload", "leader", "service", "artifact", "restart", "shutdown_delay",
        "constraint", "affinity",
    ]

    mutating func decodeTask(
        _ block: BlockReader, path: String, groupRestart: Caravan_V1_RestartPolicy
    ) -> Caravan_V1_Task {
        let reader = block.body
        record(reader, at: path, range: block.range)
        checkKeys(reader, Self.taskKeys)
        var task = Caravan_V1_Task()
        task.name = label(block, "name", path: path) ?? ""
        task.driver = string(reader, "driver") ?? ""
        if let user = string(reader, "user") { task.user = user }
        if let config = decodeDriverConfig(reader, path: path + "/config") { task.config = config }
        if let env = stringMap(reader, "env") { task.env = env }
        if let meta = stringMap(reader, "meta") { task.meta = meta }
        if let resources = decodeResources(reader, path: path + "/resources") { task.resources = resources }
        if let timeout = duration(reader, "kill_timeout") { task.killTimeout = timeout }
        if let signal = string(reader, "kill_signal") { task.killSignal = signal }
        if let logs = decodeLogs(reader, path: path + "/logs") { task.logs = logs }
        task.templates = decodeTemplates(reader, owner: path)
        task.artifacts = decodeArtifacts(reader, owner: path)
        task.volumeMounts = decodeVolumeMounts(reader, owner: path)
        if let lifecycle = decodeLifecycle(reader, path: path + "/lifecycle") { task.lifecycle = lifecycle }
        if let payload = self.block(reader, "dispatch_payload") {
            record(payload.body, at: path + "/dispatch_payload", range: payload.range)
            checkKeys(payload.body, ["file"])
            var config = Caravan_V1_DispatchPayloadConfig()
            config.file = string(payload.body, "file") ?? ""
            task.dispatchPayload = config
        }
        if let leader = bool(reader, "leader") { task.leader = leader }
        task.services = decodeServices(reader, owner: path)
        if let restart = decodeRestart(reader, owner: path, onto: groupRestart) { task.restartPolicy = restart }
        if let delay = duration(reader, "shutdown_delay") { task.shutdownDelay = delay }
        task.constraints = decodeConstraints(reader, owner: path)
        task.affinities = decodeAffinities(reader, owner: path)
        return task
    }

    /// The driver's `config` block as an opaque struct; `DriverConfigSchema` checks known drivers later.
    mutating func decodeDriverConfig(_ reader: BodyReader, path: String) -> Google_Protobuf_Struct? {
        guard let block = block(reader, "config") else { return nil }
        record(block.body, at: path, range: block.range)
        guard let value = diagnostics.attempt({ () throws(Diagnostics) in try block.body.asValue() }) else {
            return nil
        }
        guard let object = value.asObject() else { return Google_Protobuf_Struct() }
        return StructConversion.structure(object)
    }

    mutating func decodeResources(_ reader: BodyReader, path: String) -> Caravan_V1_Resources? {
        guard let block = block(reader, "resources") else { return nil }
        let body = block.body
        record(body, at: path, range: block.range)
        if let network = body.range(of: "network") {
            diagnostics.add(
                "a network inside task resources is no longer supported; declare ports in the group's "
                    + "network block and refer to them by label", at: network)
        }
        checkKeys(body, ["cpu", "memory", "memory_max", "cores", "network"])
        var resources = Caravan_V1_Resources()
        if let cpu = int64(body, "cpu") { resources.cpuMhz = cpu }
        if let memory = int64(body, "memory") { resources.memoryMb = memory }
        if let memoryMax = int64(body, "memory_max") { resources.memoryMaxMb = memoryMax }
        if let cores = int32(body, "cores") { resources.cores = cores }
        return resources
    }

    mutating func decodeLogs(_ reader: BodyReader, path: String) -> Caravan_V1_LogConfig? {
        guard let block = block(reader, "logs") else { return nil }
        record(block.body, at: path, range: block.range)
        checkKeys(block.body, ["max_files", "max_file_size"])
        var logs = Caravan_V1_LogConfig()
        logs.maxFiles = int32(block.body, "max_files") ?? 10
        logs.maxFileSizeMb = int32(block.body, "max_file_size") ?? 10
        return logs
    }

    mutating func decodeTemplates(_ reader: BodyReader, owner: String) -> [Caravan_V1_Template] {
        var templates: [Caravan_V1_Template] = []
        for (index, block) in blocks(reader, "template").enumerated() {
            let body = block.body
            record(body, at: JobSourceMap.child(owner, "template", index), range: block.range)
            checkKeys(
                body,
                [
                    "data", "source", "destination", "change_mode", "change_signal", "splay", "perms",
                    "left_delimiter", "right_delimiter", "env",
                ])
            var template = Caravan_V1_Template()
            template.embeddedTmpl = string(body, "data") ?? ""
            template.sourcePath = string(body, "source") ?? ""
            template.destPath = string(body, "destination") ?? ""
            let modes: [(String, Caravan_V1_Template.ChangeMode)] = [
                ("restart", .restart), ("signal", .signal), ("noop", .noop),
            ]
            if let mode = choice(body, "change_mode", modes) { template.changeMode = mode }
            if let signal = string(body, "change_signal") { template.changeSignal = signal }
            if let splay = duration(body, "splay") { template.splay = splay }
            if let perms = string(body, "perms") { template.perms = perms }
            if let left = string(body, "left_delimiter") { template.leftDelimiter = left }
            if let right = string(body, "right_delimiter") { template.rightDelimiter = right }
            if let env = bool(body, "env") { template.envvars = env }
            templates.append(template)
        }
        return templates
    }

    mutating func decodeArtifacts(_ reader: BodyReader, owner: String) -> [Caravan_V1_TaskArtifact] {
        var artifacts: [Caravan_V1_TaskArtifact] = []
        for (index, block) in blocks(reader, "artifact").enumerated() {
            let body = block.body
            record(body, at: JobSourceMap.child(owner, "artifact", index), range: block.range)
            checkKeys(body, ["source", "destination", "mode", "options", "headers"])
            var artifact = Caravan_V1_TaskArtifact()
            artifact.getterSource = string(body, "source") ?? ""
            if let destination = string(body, "destination") { artifact.relativeDest = destination }
            if let mode = choice(body, "mode", [("any", "any"), ("file", "file"), ("dir", "dir")]) {
                artifact.getterMode = mode
            }
            if let options = stringMap(body, "options") { artifact.getterOptions = options }
            if let headers = stringMap(body, "headers") { artifact.getterHeaders = headers }
            artifacts.append(artifact)
        }
        return artifacts
    }

    mutating func decodeVolumeMounts(_ reader: BodyReader, owner: String) -> [Caravan_V1_VolumeMount] {
        var mounts: [Caravan_V1_VolumeMount] = []
        for (index, block) in blocks(reader, "volume_mount").enumerated() {
            let body = block.body
            record(body, at: JobSourceMap.child(owner, "volume_mount", index), range: block.range)
            checkKeys(body, ["volume", "destination", "read_only", "propagation_mode"])
            var mount = Caravan_V1_VolumeMount()
            mount.volume = string(body, "volume") ?? ""
            mount.destination = string(body, "destination") ?? ""
            mount.readOnly = bool(body, "read_only") ?? false
            let modes: [(String, Caravan_V1_VolumeMount.PropagationMode)] = [
                ("private", .private), ("host-to-task", .hostToTask), ("bidirectional", .bidirectional),
            ]
            if let mode = choice(body, "propagation_mode", modes) { mount.propagationMode = mode }
            mounts.append(mount)
        }
        return mounts
    }

    mutating func decodeLifecycle(_ reader: BodyReader, path: String) -> Caravan_V1_TaskLifecycle? {
        guard let block = block(reader, "lifecycle") else { return nil }
        record(block.body, at: path, range: block.range)
        checkKeys(block.body, ["hook", "sidecar"])
        var lifecycle = Caravan_V1_TaskLifecycle()
        let hooks: [(String, Caravan_V1_TaskLifecycle.Hook)] = [
            ("prestart", .prestart), ("poststart", .poststart), ("poststop", .poststop),
        ]
        if let hook = choice(block.body, "hook", hooks) { lifecycle.hook = hook }
        if let sidecar = bool(block.body, "sidecar") { lifecycle.sidecar = sidecar }
        return lifecycle
    }
}
