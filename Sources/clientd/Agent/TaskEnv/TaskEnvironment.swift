import CaravanProto

/// A task's environment variables, built as Nomad builds them, plus the node values `${attr.*}`, `${node.*}` and
/// `${meta.*}` that interpolation reads. The same builder serves chrooted tasks (directories as the task sees them:
/// `/alloc`, `/local`, `/secrets`) and raw_exec tasks (host paths): the caller passes the directories.
struct TaskEnvironment: Sendable, Equatable {
    /// The environment the task starts with.
    var variables: [String: String]
    /// `node.unique.id`, `attr.kernel.name`, `meta.rack`, ... for interpolation only.
    var nodeValues: [String: String]

    /// Directories as the task sees them.
    struct Directories: Sendable, Equatable {
        var allocDir: String
        var taskDir: String
        var secretsDir: String
        /// Exported as TMPDIR when set.
        var tmpDir: String?

        /// What a chrooted (`exec`) task sees.
        static let chroot = Directories(allocDir: "/alloc", taskDir: "/local", secretsDir: "/secrets", tmpDir: "/tmp")
    }

    /// PATH for tasks whose environment sets none.
    static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// Builds the environment of `task` in `allocation` on `node`.
    ///
    /// Order, as in Nomad: Caravan's variables, then meta (`NOMAD_META_*`), then host variables that are not already
    /// set (raw_exec passes the agent's environment; chrooted tasks pass none), then the task's `env` block,
    /// interpolated, then variables from `env = true` templates. PATH gets a default when nothing set it.
    static func build(
        allocation: Caravan_V1_Allocation, task: Caravan_V1_Task, node: Caravan_V1_Node, region: String,
        directories: Directories, hostEnvironment: [String: String] = [:], templateEnvironment: [String: String] = [:],
        allocAddress: String? = nil
    ) -> TaskEnvironment {
        let job = allocation.job
        let nodeValues = Self.nodeValues(node: node, region: region)
        var env: [String: String] = [:]

        env["NOMAD_ALLOC_DIR"] = directories.allocDir
        env["NOMAD_TASK_DIR"] = directories.taskDir
        env["NOMAD_SECRETS_DIR"] = directories.secretsDir
        if let tmp = directories.tmpDir { env["TMPDIR"] = tmp }

        let limits = ResourceLimits(allocation: allocation, task: task)
        if limits.memoryMB != 0 { env["NOMAD_MEMORY_LIMIT"] = String(limits.memoryMB) }
        if limits.memoryMaxMB != 0 { env["NOMAD_MEMORY_MAX_LIMIT"] = String(limits.memoryMaxMB) }
        if limits.cpuMHz != 0 { env["NOMAD_CPU_LIMIT"] = String(limits.cpuMHz) }
        if !limits.cores.isEmpty { env["NOMAD_CPU_CORES"] = formatCPUSet(limits.cores) }

        if !allocation.id.isEmpty {
            env["NOMAD_ALLOC_ID"] = allocation.id
            env["NOMAD_SHORT_ALLOC_ID"] = String(allocation.id.prefix(8))
        }
        if !allocation.name.isEmpty { env["NOMAD_ALLOC_NAME"] = allocation.name }
        env["NOMAD_ALLOC_INDEX"] = String(allocationIndex(name: allocation.name))
        if !allocation.taskGroup.isEmpty { env["NOMAD_GROUP_NAME"] = allocation.taskGroup }
        if !task.name.isEmpty { env["NOMAD_TASK_NAME"] = task.name }
        let jobID = allocation.jobID.isEmpty ? job.id : allocation.jobID
        if !jobID.isEmpty { env["NOMAD_JOB_ID"] = jobID }
        if !job.name.isEmpty { env["NOMAD_JOB_NAME"] = job.name }
        if !job.parentID.isEmpty { env["NOMAD_JOB_PARENT_ID"] = job.parentID }
        if !node.datacenter.isEmpty { env["NOMAD_DC"] = node.datacenter }
        let namespace = allocation.namespace.isEmpty ? job.namespace : allocation.namespace
        env["NOMAD_NAMESPACE"] = namespace.isEmpty ? "default" : namespace
        if !region.isEmpty { env["NOMAD_REGION"] = region }

        addPortVariables(&env, networks: allocation.allocatedResources.shared.networks, allocAddress: allocAddress)

        for (key, value) in combinedMeta(allocation: allocation, task: task) {
            let interpolatedKey = Interpolator(environment: env, nodeValues: nodeValues).interpolate(key)
            let interpolatedValue = Interpolator(environment: env, nodeValues: nodeValues).interpolate(value)
            env["NOMAD_META_" + interpolatedKey.uppercased()] = interpolatedValue
            env["NOMAD_META_" + interpolatedKey] = interpolatedValue
        }

        for (key, value) in hostEnvironment where env[key] == nil {
            env[key] = Interpolator(environment: env, nodeValues: nodeValues).interpolate(value)
        }

        // Task variables see the environment built so far, not each other (their order is undefined).
        let interpolator = Interpolator(environment: env, nodeValues: nodeValues)
        for (key, value) in task.env {
            env[key] = interpolator.interpolate(value)
        }
        for (key, value) in templateEnvironment {
            env[key] = value
        }
        if env["PATH"] == nil { env["PATH"] = defaultPath }

        return TaskEnvironment(variables: cleanedKeys(env), nodeValues: nodeValues)
    }

    /// Replaces `${...}` references in `text` with this environment's values.
    func interpolate(_ text: String) -> String {
        Interpolator(environment: variables, nodeValues: nodeValues).interpolate(text)
    }

    /// The interpolator over this environment.
    var interpolator: Interpolator { Interpolator(environment: variables, nodeValues: nodeValues) }

    /// `NAME=value` strings, sorted, for exec.
    var list: [String] { variables.sorted(by: { $0.key < $1.key }).map { "\($0.key)=\($0.value)" } }

    /// The values `${node.*}`, `${attr.*}` and `${meta.*}` resolve to.
    static func nodeValues(node: Caravan_V1_Node, region: String) -> [String: String] {
        var values: [String: String] = [
            "node.unique.id": node.id, "node.unique.name": node.name, "node.datacenter": node.datacenter,
            "node.class": node.nodeClass, "node.pool": node.nodePool.isEmpty ? "default" : node.nodePool,
        ]
        if !region.isEmpty { values["node.region"] = region }
        for (key, value) in node.attributes { values["attr." + key] = value }
        for (key, value) in node.meta { values["meta." + key] = value }
        return values
    }

    /// Job meta, overridden by group meta, overridden by task meta.
    static func combinedMeta(allocation: Caravan_V1_Allocation, task: Caravan_V1_Task) -> [String: String] {
        var meta = allocation.job.meta
        if let group = allocation.job.taskGroups.first(where: { $0.name == allocation.taskGroup }) {
            meta.merge(group.meta) { _, new in new }
        }
        meta.merge(task.meta) { _, new in new }
        return meta
    }

    /// N from an allocation name `job.group[N]` (0 when the name has no index, as in Nomad).
    static func allocationIndex(name: String) -> Int {
        guard name.hasSuffix("]"), let open = name.lastIndex(of: "[") else { return 0 }
        let digits = name[name.index(after: open)..<name.index(before: name.endIndex)]
        return Int(digits) ?? 0
    }

    /// Variable names under the port and meta prefixes come from labels and meta keys, which may hold characters
    /// that are not valid in a variable name; like Nomad, those become `_`.
    private static func cleanedKeys(_ env: [String: String]) -> [String: String] {
        let prefixes = [
            "NOMAD_ADDR_", "NOMAD_IP_", "NOMAD_PORT_", "NOMAD_HOST_PORT_", "NOMAD_HOST_IP_", "NOMAD_HOST_ADDR_",
            "NOMAD_ALLOC_PORT_", "NOMAD_ALLOC_IP_", "NOMAD_ALLOC_ADDR_", "NOMAD_META_",
        ]
        var cleaned: [String: String] = [:]
        for (key, value) in env {
            if prefixes.contains(where: { key.hasPrefix($0) }) {
                cleaned[cleanVariableName(key)] = value
            } else {
                cleaned[key] = value
            }
        }
        return cleaned
    }

    static func cleanVariableName(_ name: String) -> String {
        var result = ""
        for (offset, scalar) in name.unicodeScalars.enumerated() {
            let isLetter = (scalar >= "A" && scalar <= "Z") || (scalar >= "a" && scalar <= "z") || scalar == "_"
            let isDigit = scalar >= "0" && scalar <= "9"
            result.unicodeScalars.append(isLetter || (isDigit && offset > 0) ? scalar : "_")
        }
        return result
    }
}

/// The task's CPU and memory: the allocation's reservation when present, else the task's request.
struct ResourceLimits: Sendable, Equatable {
    var cpuMHz: Int64
    var memoryMB: Int64
    var memoryMaxMB: Int64
    var cores: [UInt32]

    init(allocation: Caravan_V1_Allocation, task: Caravan_V1_Task) {
        if let allocated = allocation.allocatedResources.tasks[task.name] {
            cpuMHz = allocated.cpuMhz
            memoryMB = allocated.memoryMb
            memoryMaxMB = allocated.memoryMaxMb
            cores = allocated.reservedCores
        } else {
            cpuMHz = task.resources.cpuMhz
            memoryMB = task.resources.memoryMb
            memoryMaxMB = task.resources.memoryMaxMb
            cores = []
        }
    }
}

/// Core IDs in the kernel's cpuset list form, e.g. [0, 1, 2, 5] → "0-2,5".
func formatCPUSet(_ cores: [UInt32]) -> String {
    let sorted = Array(Set(cores)).sorted()
    var parts: [String] = []
    var index = 0
    while index < sorted.count {
        var end = index
        while end + 1 < sorted.count && sorted[end + 1] == sorted[end] + 1 { end += 1 }
        parts.append(end == index ? "\(sorted[index])" : "\(sorted[index])-\(sorted[end])")
        index = end + 1
    }
    return parts.joined(separator: ",")
}
