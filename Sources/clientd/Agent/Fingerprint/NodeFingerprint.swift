import CaravanProto
import CaravanRPC
import Spec

#if canImport(Glibc)
    import Glibc
#endif

/// The node facts clientd registers with: attributes, resources, host volumes and network modes, read from the
/// machine under `root` so tests can use fixture files for /proc, /sys and /etc.
struct NodeFingerprint: Sendable {
    var files: HostFiles

    init(root: String = "/") {
        files = HostFiles(root: root)
    }

    /// Fingerprints the machine. Host volumes whose path is missing or not a directory are startup errors.
    func facts(
        advertiseAddress: String, dataDir: String, hostVolumes: [String: AgentConfig.HostVolume],
        networkModes: [String] = ["host"]
    ) throws(FingerprintError) -> NodeFacts {
        var attributes: [String: String] = ["kernel.name": "linux", "caravan.version": CaravanVersion.current]
        let uname = Uname.current()
        if let release = files.readLine("/proc/sys/kernel/osrelease") ?? uname?.release {
            attributes["kernel.version"] = release
        }
        if let machine = files.readLine("/proc/sys/kernel/arch") ?? uname?.machine {
            attributes["kernel.arch"] = machine
            attributes["cpu.arch"] = goArchitecture(machine: machine)
        }
        if let hostname = files.readLine("/proc/sys/kernel/hostname") ?? uname?.nodename {
            attributes["unique.hostname"] = hostname
        }
        if !advertiseAddress.isEmpty {
            attributes["unique.network.ip-address"] = advertiseAddress
        }
        let osRelease = parseOSRelease(files.read("/etc/os-release") ?? files.read("/usr/lib/os-release") ?? "")
        if let id = osRelease["ID"] { attributes["os.name"] = id }
        if let version = osRelease["VERSION_ID"] { attributes["os.version"] = version }

        let cpu = cpuFacts()
        attributes["cpu.numcores"] = String(cpu.cores)
        if let mhz = cpu.mhz {
            attributes["cpu.frequency"] = String(mhz)
            attributes["cpu.totalcompute"] = String(mhz * cpu.cores)
        }
        if let model = cpu.modelName { attributes["cpu.modelname"] = model }

        var resources = Caravan_V1_NodeResources()
        resources.cores = Int32(clamping: cpu.cores)
        resources.cpuMhz = Int64(cpu.mhz ?? 0) * Int64(cpu.cores)
        if let memory = files.read("/proc/meminfo").flatMap(parseMemTotalBytes) {
            attributes["memory.totalbytes"] = String(memory)
            resources.memoryMb = memory / (1024 * 1024)
        }
        let disk = try diskSpace(dataDir)
        attributes["unique.storage.bytesfree"] = String(disk.free)
        attributes["unique.storage.bytestotal"] = String(disk.total)
        resources.diskMb = disk.free / (1024 * 1024)

        return NodeFacts(
            attributes: attributes, resources: resources, hostVolumes: try checkedHostVolumes(hostVolumes),
            networkModes: networkModes)
    }

    /// Processor count, clock and model. The clock prefers cpufreq's maximum, which does not drift with frequency
    /// scaling (so the computed class stays stable), and falls back to /proc/cpuinfo's "cpu MHz".
    func cpuFacts() -> CPUInfo {
        var info = CPUInfo(parsing: files.read("/proc/cpuinfo") ?? "")
        if info.cores == 0 {
            info.cores = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        }
        if let khz = files.readLine("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq").flatMap({ Int($0) }),
            khz > 0
        {
            info.mhz = khz / 1000
        }
        return info
    }

    /// Free and total bytes of the file system holding `path` (under root).
    func diskSpace(_ path: String) throws(FingerprintError) -> (free: Int64, total: Int64) {
        var info = statvfs()
        guard statvfs(files.hostPath(path), &info) == 0 else {
            throw .dataDir(path: path, reason: String(cString: strerror(errno)))
        }
        let unit = Int64(info.f_frsize == 0 ? info.f_bsize : info.f_frsize)
        return (Int64(info.f_bavail) * unit, Int64(info.f_blocks) * unit)
    }

    /// The configured host volumes as node facts, each checked to be an existing directory.
    func checkedHostVolumes(
        _ volumes: [String: AgentConfig.HostVolume]
    ) throws(FingerprintError) -> [String: Caravan_V1_HostVolume] {
        var result: [String: Caravan_V1_HostVolume] = [:]
        for (key, volume) in volumes.sorted(by: { $0.key < $1.key }) {
            let name = volume.name.isEmpty ? key : volume.name
            switch files.kind(volume.path) {
            case .missing: throw .hostVolume(name: name, path: volume.path, problem: "does not exist")
            case .other: throw .hostVolume(name: name, path: volume.path, problem: "is not a directory")
            case .directory: break
            }
            var fact = Caravan_V1_HostVolume()
            fact.name = name
            fact.path = volume.path
            fact.readOnly = volume.readOnly
            result[name] = fact
        }
        return result
    }
}

/// What fingerprinting found; `apply(to:)` copies it into the node clientd registers.
struct NodeFacts: Sendable, Equatable {
    var attributes: [String: String]
    var resources: Caravan_V1_NodeResources
    var hostVolumes: [String: Caravan_V1_HostVolume]
    var networkModes: [String]

    /// Sets the fingerprinted fields of `node`, keeping its identity, meta and drivers.
    func apply(to node: inout Caravan_V1_Node) {
        node.attributes = attributes
        node.resources = resources
        node.hostVolumes = hostVolumes
        node.networkModes = networkModes
    }
}

/// Why the node could not be fingerprinted; these stop clientd at startup.
enum FingerprintError: Error, Equatable, CustomStringConvertible {
    case hostVolume(name: String, path: String, problem: String)
    case dataDir(path: String, reason: String)

    var description: String {
        switch self {
        case .hostVolume(let name, let path, let problem): "host_volume \"\(name)\": path \(path) \(problem)"
        case .dataDir(let path, let reason): "data_dir \(path): \(reason)"
        }
    }
}

/// The fields of uname(2), the fallback when /proc/sys/kernel files are missing.
struct Uname: Sendable {
    var release: String
    var machine: String
    var nodename: String

    static func current() -> Uname? {
        var name = utsname()
        guard uname(&name) == 0 else { return nil }
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { bytes in
                String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
        }
        return Uname(release: text(name.release), machine: text(name.machine), nodename: text(name.nodename))
    }
}
