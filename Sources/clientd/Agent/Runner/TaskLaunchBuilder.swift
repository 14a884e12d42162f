import CaravanProto
import ClientDrivers
import ClientFS
import ClientNetwork
import Foundation
import TaskExecutor

/// Turns a task of an allocation into what its driver launches: the environment Nomad jobs expect, the
/// interpolated driver config, the dispatch payload, rendered templates, host-volume mounts and resource limits.
/// Runs before every start, so a restart picks up a changed template input; any problem is a setup failure with
/// the reason.
struct TaskLaunchBuilder: Sendable {
    let allocation: Caravan_V1_Allocation
    let task: Caravan_V1_Task
    let node: Caravan_V1_Node
    let region: String
    let dir: AllocDir
    let driver: any TaskDriver
    let hostVolumes: [String: HostVolumeOption]
    /// The allocation's namespace, which every task of it joins; nil in host mode.
    let network: AllocNetwork?

    /// Whether the driver isolates the task in a chroot of its task dir (paths inside differ from the host's).
    var isChrooted: Bool { driver.name == "exec" }

    func build() throws -> TaskLaunch {
        let taskDir = dir.taskDir(task.name)
        let directories =
            isChrooted
            ? TaskEnvironment.Directories.chroot
            : TaskEnvironment.Directories(
                allocDir: dir.sharedDir, taskDir: taskDir.localDir, secretsDir: taskDir.secretsDir,
                tmpDir: taskDir.tmpDir)
        let host = isChrooted ? [:] : ProcessInfo.processInfo.environment
        let allocAddress = network?.address?.description
        var environment = TaskEnvironment.build(
            allocation: allocation, task: task, node: node, region: region, directories: directories,
            hostEnvironment: host, allocAddress: allocAddress)
        try DispatchPayloadFile.write(allocation.job.payload, for: task, taskDir: taskDir)
        let templateEnvironment = try renderTemplates(taskDir: taskDir, environment: environment.variables)
        if !templateEnvironment.isEmpty {
            environment = TaskEnvironment.build(
                allocation: allocation, task: task, node: node, region: region, directories: directories,
                hostEnvironment: host, templateEnvironment: templateEnvironment, allocAddress: allocAddress)
        }
        let config = try driver.parseConfig(environment.interpolator.interpolate(task.config))
        let limits = ResourceLimits(allocation: allocation, task: task)
        let logs = task.hasLogs ? task.logs : Caravan_V1_LogConfig()
        return TaskLaunch(
            allocID: allocation.id, taskName: task.name,
            isolation: isChrooted ? .namespaces : .none,
            command: config.command, args: config.args, env: environment.variables,
            taskDir: taskDir.path, sharedAllocDir: dir.sharedDir, workDir: config.workDir, logDir: dir.logsDir,
            logMaxFiles: Int(logs.maxFiles > 0 ? logs.maxFiles : 10),
            logMaxFileSizeBytes: Int64(logs.maxFileSizeMb > 0 ? logs.maxFileSizeMb : 10) * 1024 * 1024,
            user: task.user.isEmpty ? (isChrooted ? "nobody" : nil) : task.user,
            cpuMHz: limits.cpuMHz, memoryMB: limits.memoryMB, memoryMaxMB: limits.memoryMaxMB,
            mounts: try mounts(interpolate: environment.interpolator) + resolvConfMount(),
            networkNamespacePath: network?.namespacePath)
    }

    /// Renders every template into the task dir; returns the variables of `env = true` templates.
    private func renderTemplates(taskDir: TaskDir, environment: [String: String]) throws -> [String: String] {
        let renderer = TemplateRenderer(taskDir: taskDir.path, sharedAllocDir: dir.sharedDir, environment: environment)
        var variables: [String: String] = [:]
        for template in task.templates {
            let rendered = try renderer.render(template)
            try TemplateFile.write(rendered)
            if template.envvars { variables.merge(rendered.environment ?? [:]) { $1 } }
        }
        return variables
    }

    /// With a namespace of its own and a `dns` block, the allocation's resolv.conf (written next to its task dirs)
    /// over the chroot's /etc/resolv.conf. raw_exec tasks share the host's files, so they keep the host's.
    private func resolvConfMount() throws -> [TaskMount] {
        guard network != nil, isChrooted,
            let dns = allocation.job.taskGroups.first(where: { $0.name == allocation.taskGroup })?.networks.first?.dns,
            let text = ResolvConf.render(servers: dns.servers, searches: dns.searches, options: dns.options)
        else { return [] }
        let path = dir.path + "/resolv.conf"
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw TaskSetupError("cannot write \(path): \(error.localizedDescription)")
        }
        return [TaskMount(hostPath: path, destination: "/etc/resolv.conf", readOnly: true)]
    }

    /// The group's host volumes the task mounts, resolved to this node's paths. Read-only when the group's
    /// volume, the mount or the node's volume says so.
    private func mounts(interpolate: Interpolator) throws -> [TaskMount] {
        let group = allocation.job.taskGroups.first { $0.name == allocation.taskGroup }
        return try task.volumeMounts.map { mount in
            guard let request = group?.volumes[mount.volume] else {
                throw TaskSetupError(
                    "volume_mount refers to volume \"\(mount.volume)\", which the group does not define")
            }
            guard request.type.isEmpty || request.type == "host" else {
                throw TaskSetupError(
                    "volume \"\(mount.volume)\": type \"\(request.type)\" is not supported (only host)")
            }
            guard let volume = hostVolumes[request.source] else {
                throw TaskSetupError("host volume \"\(request.source)\" is not configured on this node")
            }
            let destination = interpolate.interpolate(mount.destination)
            guard destination.hasPrefix("/") || !isChrooted else {
                throw TaskSetupError("volume_mount destination \"\(destination)\" must be an absolute path")
            }
            return TaskMount(
                hostPath: volume.path, destination: destination,
                readOnly: request.readOnly || mount.readOnly || volume.readOnly)
        }
    }
}

/// Why a task could not be set up; becomes its "Setup Failure" event.
struct TaskSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Writes a rendered template atomically with its permissions.
enum TemplateFile {
    static func write(_ rendered: RenderedTemplate) throws {
        let url = URL(fileURLWithPath: rendered.destination)
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(rendered.contents).write(to: url, options: .atomic)
            try FileManager.default.setAttributes(
                [.posixPermissions: NSNumber(value: rendered.permissions)], ofItemAtPath: rendered.destination)
        } catch {
            throw TaskSetupError("cannot write template \(rendered.destination): \(error.localizedDescription)")
        }
    }
}
