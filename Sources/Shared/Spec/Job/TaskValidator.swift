import CaravanProto

extension JobValidator {
    mutating func validate(
        _ task: Caravan_V1_Task, path: String, group: Caravan_V1_TaskGroup, ports: [String: Int32]
    ) {
        let name = quoted(task.name)
        if task.name.isEmpty { missing("a task needs a name: write task \"name\" { ... }", path, "label") }
        if task.name.contains("/") { error("task name \(name) must not contain \"/\"", path) }
        if task.driver.isEmpty {
            missing("task \(name) needs a driver, e.g. driver = \"exec\"", path, "driver")
        } else if let schema = DriverConfigSchema.schemas[task.driver] {
            if !task.hasConfig {
                error("task \(name) uses the \(task.driver) driver and needs a config block with a command", path)
            } else {
                for problem in schema.problems(in: task.config) {
                    error("\(task.driver) config: \(problem.message)", path + "/config", problem.key)
                }
            }
        }
        validateResources(task.resources, path: path + "/resources")
        if task.killTimeout.nanoseconds < 0 { error("kill_timeout must not be negative", path, "kill_timeout") }
        if task.logs.maxFiles < 1 { error("logs max_files must be at least 1", path + "/logs", "max_files") }
        if task.logs.maxFileSizeMb < 1 {
            error("logs max_file_size must be at least 1 (MB)", path + "/logs", "max_file_size")
        }
        if task.hasRestartPolicy { validateRestart(task.restartPolicy, path: path + "/restart") }
        if task.hasLifecycle && task.lifecycle.hook == .unspecified {
            missing(
                "a lifecycle block needs hook = \"prestart\", \"poststart\" or \"poststop\"", path + "/lifecycle",
                "hook")
        }
        validatePlacement(task.constraints, task.affinities, [], owner: path)
        for (index, mount) in task.volumeMounts.enumerated() {
            let mountPath = JobSourceMap.child(path, "volume_mount", index)
            if mount.volume.isEmpty {
                missing("a volume_mount needs volume = \"<name of a group volume>\"", mountPath, "volume")
            } else if group.volumes[mount.volume] == nil {
                let declared = group.volumes.keys.sorted().map(quoted).joined(separator: ", ")
                error(
                    "volume_mount in task \(name) refers to volume \(quoted(mount.volume)), which group "
                        + "\(quoted(group.name)) does not declare"
                        + (declared.isEmpty ? "; add a volume block to the group" : " (it declares \(declared))"),
                    mountPath, "volume")
            }
            if mount.destination.isEmpty {
                missing("a volume_mount needs a destination path", mountPath, "destination")
            }
        }
        for (index, template) in task.templates.enumerated() {
            let templatePath = JobSourceMap.child(path, "template", index)
            if template.destPath.isEmpty { missing("a template needs a destination", templatePath, "destination") }
            if template.sourcePath.isEmpty && template.embeddedTmpl.isEmpty
                && sources.ranges[templatePath + "#data"] == nil && sources.ranges[templatePath + "#source"] == nil
            {
                error("a template needs data (the template text) or source (a file path)", templatePath)
            }
            if template.changeMode == .signal && template.changeSignal.isEmpty {
                error("a template with change_mode = \"signal\" needs change_signal", templatePath, "change_mode")
            }
            if template.splay.nanoseconds < 0 { error("template splay must not be negative", templatePath, "splay") }
        }
        for (index, artifact) in task.artifacts.enumerated() where artifact.getterSource.isEmpty {
            missing("an artifact needs a source URL", JobSourceMap.child(path, "artifact", index), "source")
        }
        for (index, service) in task.services.enumerated() {
            validate(
                service, path: JobSourceMap.child(path, "service", index), group: group, ports: ports,
                taskName: task.name)
        }
    }

    mutating func validateResources(_ resources: Caravan_V1_Resources, path: String) {
        if resources.cores < 0 { error("resources cores must not be negative", path, "cores") }
        if resources.cores > 0 && resources.cpuMhz > 0 {
            error("resources may ask for cpu or cores, not both", path, "cores")
        } else if resources.cores == 0 && resources.cpuMhz < 1 {
            error("resources cpu must be at least 1 (MHz), but it is \(resources.cpuMhz)", path, "cpu")
        }
        if resources.memoryMb < 10 {
            error("resources memory must be at least 10 (MB), but it is \(resources.memoryMb)", path, "memory")
        }
        if resources.memoryMaxMb != 0 && resources.memoryMaxMb < resources.memoryMb {
            error(
                "resources memory_max (\(resources.memoryMaxMb)) must be at least memory (\(resources.memoryMb))",
                path, "memory_max")
        }
        if !resources.networks.isEmpty {
            error(
                "a network inside task resources is no longer supported; declare ports in the group's network block",
                path)
        }
    }
}
