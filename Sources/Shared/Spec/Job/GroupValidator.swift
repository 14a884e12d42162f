import CaravanProto

extension JobValidator {
    mutating func validate(_ group: Caravan_V1_TaskGroup, path: String, job: Caravan_V1_Job) {
        let name = quoted(group.name)
        if group.name.isEmpty { missing("a group needs a name: write group \"name\" { ... }", path, "label") }
        if group.count < 0 {
            error("group \(name) count must be 0 or more, but it is \(group.count)", path, "count")
        } else if job.type == .system && group.count > 1 {
            error(
                "group \(name) has count \(group.count), but a system job runs one allocation per node; "
                    + "use count = 1 or leave it out", path, "count")
        }
        validatePlacement(group.constraints, group.affinities, group.spreads, owner: path)
        validateRestart(group.restartPolicy, path: path + "/restart")
        if job.type == .system && group.hasReschedulePolicy {
            error(
                "a system job does not allow a reschedule block; its allocations are never rescheduled",
                path + "/reschedule")
        } else if group.hasReschedulePolicy {
            validateReschedule(group.reschedulePolicy, path: path + "/reschedule")
        }
        if group.hasUpdate && job.type == .batch && !job.hasUpdate {
            error(
                "a batch job does not allow an update block; deployments only apply to service and system jobs",
                path + "/update")
        } else if group.hasUpdate && job.type != .batch {
            validateUpdate(group.update, path: path + "/update")
        }
        if group.hasMigrate {
            if job.type != .service {
                error("a \(typeName(job.type)) job does not allow a migrate block", path + "/migrate")
            } else {
                validateMigrate(group.migrate, path: path + "/migrate")
            }
        }
        if group.ephemeralDisk.sizeMb < 0 {
            error("ephemeral_disk size must not be negative", path + "/ephemeral_disk", "size")
        }
        let ports = validateNetworks(group, path: path)
        validateVolumes(group, path: path)
        if group.tasks.isEmpty {
            error("group \(name) needs at least one task \"name\" { ... } block", path)
        }
        var taskNames: [String: Int] = [:]
        var leaders = 0
        for (index, task) in group.tasks.enumerated() {
            let taskPath = JobSourceMap.child(path, "task", index)
            if taskNames[task.name] != nil && !task.name.isEmpty {
                error(
                    "duplicate task \(quoted(task.name)) in group \(name); task names must be unique in a group",
                    taskPath)
            } else {
                taskNames[task.name] = index
            }
            if task.leader {
                leaders += 1
                if leaders == 2 { error("only one task in group \(name) may be the leader", taskPath, "leader") }
            }
            validate(task, path: taskPath, group: group, ports: ports)
        }
        for (index, service) in group.services.enumerated() {
            validate(
                service, path: JobSourceMap.child(path, "service", index), group: group, ports: ports, taskName: nil)
        }
        validateUpstreams(group, path: path, ports: ports)
    }

    mutating func validateRestart(_ policy: Caravan_V1_RestartPolicy, path: String) {
        if policy.attempts < 0 { error("restart attempts must be 0 or more", path, "attempts") }
        if policy.attempts == 0 && policy.mode == .delay {
            error(
                "restart mode \"delay\" with 0 attempts is ambiguous; use mode = \"fail\" or set attempts", path, "mode"
            )
        }
        if policy.interval.nanoseconds < 5_000_000_000 {
            error("restart interval must be at least 5s, but it is \(policy.interval.text)", path, "interval")
        }
        if policy.delay.nanoseconds < 0 { error("restart delay must not be negative", path, "delay") }
        let needed = policy.delay.nanoseconds.multipliedReportingOverflow(by: Int64(max(policy.attempts, 0)))
        if needed.overflow || needed.partialValue > policy.interval.nanoseconds {
            error(
                "restart: \(policy.attempts) attempts with a delay of \(policy.delay.text) do not fit in an interval "
                    + "of \(policy.interval.text)", path)
        }
    }

    mutating func validateReschedule(_ policy: Caravan_V1_ReschedulePolicy, path: String) {
        if policy.attempts < 0 { error("reschedule attempts must be 0 or more", path, "attempts") }
        if policy.delay.nanoseconds < 0 { error("reschedule delay must not be negative", path, "delay") }
        if !policy.unlimited && policy.attempts > 0 && policy.interval.nanoseconds <= 0 {
            error("reschedule needs an interval when attempts is set and unlimited is false", path)
        }
        if policy.delayFunction != .constant && policy.hasMaxDelay
            && policy.maxDelay.nanoseconds < policy.delay.nanoseconds
        {
            error(
                "reschedule max_delay (\(policy.maxDelay.text)) must not be less than delay (\(policy.delay.text))",
                path,
                "max_delay")
        }
    }

    mutating func validateMigrate(_ migrate: Caravan_V1_MigrateStrategy, path: String) {
        if migrate.maxParallel < 0 { error("migrate max_parallel must be 0 or more", path, "max_parallel") }
        if !["checks", "task_states"].contains(migrate.healthCheck) {
            error(
                "migrate health_check must be \"checks\" or \"task_states\", but it is \(quoted(migrate.healthCheck))",
                path, "health_check")
        }
        if migrate.minHealthyTime.nanoseconds >= migrate.healthyDeadline.nanoseconds {
            error(
                "migrate min_healthy_time (\(migrate.minHealthyTime.text)) must be less than healthy_deadline "
                    + "(\(migrate.healthyDeadline.text))", path, "min_healthy_time")
        }
    }

    /// Checks the group network and returns its port labels with their static values (0 for dynamic ports).
    mutating func validateNetworks(_ group: Caravan_V1_TaskGroup, path: String) -> [String: Int32] {
        var labels: [String: Int32] = [:]
        if group.networks.count > 1 {
            error("group \(quoted(group.name)) may have one network block, but it has \(group.networks.count)", path)
        }
        for (index, network) in group.networks.enumerated() {
            let networkPath = JobSourceMap.child(path, "network", index)
            let mode = network.mode
            if !["host", "bridge", "none"].contains(mode) && !(mode.hasPrefix("cni/") && mode.count > 4) {
                error(
                    "network mode must be \"host\", \"bridge\", \"none\" or \"cni/<name>\", but it is \(quoted(mode))",
                    networkPath, "mode")
            }
            if network.mbits < 0 { error("network mbits must not be negative", networkPath, "mbits") }
            var statics: [Int32: String] = [:]
            for port in network.reservedPorts + network.dynamicPorts {
                let portPath = JobSourceMap.named(networkPath, "port", port.label)
                if port.label.isEmpty { error("a port needs a label: write port \"http\" { ... }", networkPath) }
                if labels[port.label] != nil {
                    error("port \(quoted(port.label)) is declared twice in group \(quoted(group.name))", portPath)
                }
                labels[port.label] = port.value
                if !(-1...65535).contains(port.to) {
                    error(
                        "port \(quoted(port.label)): to must be between 0 and 65535 (or -1), but it is \(port.to)",
                        portPath, "to")
                }
            }
            for port in network.reservedPorts {
                let portPath = JobSourceMap.named(networkPath, "port", port.label)
                guard (1...65535).contains(port.value) else {
                    error(
                        "port \(quoted(port.label)): static must be between 1 and 65535, but it is \(port.value)",
                        portPath, "static")
                    continue
                }
                if let other = statics[port.value] {
                    error(
                        "static port \(port.value) is used by both port \(quoted(other)) and port "
                            + "\(quoted(port.label)) in group \(quoted(group.name))", portPath, "static")
                } else {
                    statics[port.value] = port.label
                }
            }
        }
        return labels
    }

    mutating func validateVolumes(_ group: Caravan_V1_TaskGroup, path: String) {
        for name in group.volumes.keys.sorted() {
            guard let volume = group.volumes[name] else { continue }
            let volumePath = JobSourceMap.named(path, "volume", name)
            if volume.type.isEmpty {
                missing("volume \(quoted(name)) needs type = \"host\"", volumePath, "type")
            } else if volume.type != "host" {
                error(
                    "volume \(quoted(name)) has type \(quoted(volume.type)), which Caravan does not support; "
                        + "only \"host\" volumes are available", volumePath, "type")
            }
            if volume.source.isEmpty {
                missing(
                    "volume \(quoted(name)) needs a source naming a host volume on the client", volumePath, "source")
            }
        }
    }
}
