import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The task cgroups the exec driver uses to enforce CPU shares and the memory limit, and to find (and kill)
/// every process a task started. Layout: v1 `<root>/<controller>/caravan/<alloc>.<task>`, v2
/// `<root>/caravan/<alloc>.<task>`.
public struct Cgroups: Sendable, Equatable {
    public enum Version: String, Sendable { case v1, v2 }

    public var root: String
    public var version: Version

    /// The controllers exec needs under cgroup v1.
    public static let v1Controllers = ["memory", "cpu"]

    public init(root: String, version: Version) {
        self.root = root
        self.version = version
    }

    /// Which cgroup hierarchy is mounted at `root`: v2 when it is a cgroup2 filesystem (its root has
    /// `cgroup.controllers`), v1 when it holds controller directories; nil when neither.
    public static func detect(root: String = "/sys/fs/cgroup") -> Cgroups? {
        let manager = FileManager.default
        if manager.fileExists(atPath: "\(root)/cgroup.controllers") { return Cgroups(root: root, version: .v2) }
        if manager.fileExists(atPath: "\(root)/memory") || manager.fileExists(atPath: "\(root)/cpu") {
            return Cgroups(root: root, version: .v1)
        }
        return nil
    }

    /// What is missing for the exec driver, or nil when memory and cpu control are both available.
    public func missingControllers() -> String? {
        switch version {
        case .v1:
            let missing = Self.v1Controllers.filter {
                !FileManager.default.fileExists(atPath: "\(root)/\($0)/cgroup.procs")
            }
            return missing.isEmpty
                ? nil : "cgroup v1 controllers not mounted under \(root): \(missing.joined(separator: ", "))"
        case .v2:
            let available = (readSmallFile("\(root)/cgroup.controllers") ?? "").split(separator: " ").map {
                $0.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let missing = ["memory", "cpu"].filter { !available.contains($0) }
            return missing.isEmpty
                ? nil : "cgroup v2 controllers not available in \(root): \(missing.joined(separator: ", "))"
        }
    }

    /// The task's cgroup directories (one per v1 controller, one for v2).
    public func paths(name: String) -> [String] {
        switch version {
        case .v1: Self.v1Controllers.map { "\(root)/\($0)/caravan/\(name)" }
        case .v2: ["\(root)/caravan/\(name)"]
        }
    }

    /// Creates the task's cgroups and writes its limits; returns their paths.
    public func create(name: String, cpuMHz: Int64, memoryMB: Int64, memoryMaxMB: Int64) throws(SystemError)
        -> [String]
    {
        let paths = paths(name: name)
        if version == .v2 {
            // Controllers must be enabled on every level above the task's cgroup.
            try makeDirectory("\(root)/caravan")
            try? writeValue("+memory +cpu", to: "\(root)/cgroup.subtree_control")
            try? writeValue("+memory +cpu", to: "\(root)/caravan/cgroup.subtree_control")
        }
        for path in paths { try makeDirectory(path) }
        let hardMB = memoryMaxMB > 0 ? memoryMaxMB : memoryMB
        let hardBytes = hardMB * 1024 * 1024
        switch version {
        case .v1:
            let memory = paths[0]
            let cpu = paths[1]
            if hardMB > 0 {
                try writeValue(String(hardBytes), to: "\(memory)/memory.limit_in_bytes")
                if memoryMaxMB > 0 && memoryMB > 0 {
                    try? writeValue(String(memoryMB * 1024 * 1024), to: "\(memory)/memory.soft_limit_in_bytes")
                }
                // Without swap accounting this file is absent; with it, swap must not extend the limit.
                if FileManager.default.fileExists(atPath: "\(memory)/memory.memsw.limit_in_bytes") {
                    try? writeValue(String(hardBytes), to: "\(memory)/memory.memsw.limit_in_bytes")
                }
            }
            if cpuMHz > 0 { try writeValue(String(max(2, cpuMHz)), to: "\(cpu)/cpu.shares") }
        case .v2:
            let path = paths[0]
            if hardMB > 0 {
                try writeValue(String(hardBytes), to: "\(path)/memory.max")
                if memoryMaxMB > 0 && memoryMB > 0 {
                    try? writeValue(String(memoryMB * 1024 * 1024), to: "\(path)/memory.low")
                }
                try? writeValue("0", to: "\(path)/memory.swap.max")
            }
            if cpuMHz > 0 {
                // The same conversion from v1 shares (2...262144) to v2 weight (1...10000) that runc uses.
                let shares = min(max(2, cpuMHz), 262_144)
                try writeValue(String(1 + ((shares - 2) * 9999) / 262_142), to: "\(path)/cpu.weight")
            }
        }
        return paths
    }

    /// How many times the kernel's OOM killer has killed a process in the task's memory cgroup.
    public func oomKillCount(paths: [String]) -> UInt64 {
        let file =
            switch version {
            case .v1: paths.first { $0.contains("/memory/") }.map { "\($0)/memory.oom_control" }
            case .v2: paths.first.map { "\($0)/memory.events" }
            }
        guard let file, let text = readSmallFile(file) else { return 0 }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, parts[0] == "oom_kill", let count = UInt64(parts[1]) { return count }
        }
        return 0
    }

    /// The `cgroup.procs` files a process writes "0" into to join the task's cgroups.
    public static func procsFiles(paths: [String]) -> [String] { paths.map { "\($0)/cgroup.procs" } }

    /// Processes in a cgroup directory.
    public static func processes(in path: String) -> [Int32] {
        (readSmallFile("\(path)/cgroup.procs") ?? "").split(separator: "\n").compactMap { Int32($0) }
    }

    /// SIGKILLs every process in the cgroups until they are empty (or `timeout` passes).
    public static func killAll(paths: [String], timeout: Duration = .seconds(5)) {
        let deadline = ContinuousClock.now + timeout
        while true {
            let pids = paths.flatMap { processes(in: $0) }
            if pids.isEmpty || ContinuousClock.now >= deadline { return }
            for pid in pids { kill(pid, SIGKILL) }
            usleep(10_000)
        }
    }

    /// Kills leftovers, then removes the cgroup directories; a directory already gone is fine.
    public static func remove(paths: [String], timeout: Duration = .seconds(5)) {
        killAll(paths: paths, timeout: timeout)
        let deadline = ContinuousClock.now + timeout
        for path in paths {
            // Killed processes leave the cgroup a moment after SIGKILL; rmdir fails with EBUSY until then.
            while rmdir(path) != 0 && errno == EBUSY && ContinuousClock.now < deadline { usleep(10_000) }
        }
    }

    private func makeDirectory(_ path: String) throws(SystemError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw SystemError("create cgroup \(path)", errno: errno == 0 ? EIO : errno)
        }
    }
}

/// Writes `value` to a cgroup (or proc) control file.
func writeValue(_ value: String, to path: String) throws(SystemError) {
    let fd = open(path, O_WRONLY | O_CLOEXEC)
    guard fd >= 0 else { throw SystemError("open \(path)") }
    defer { close(fd) }
    let bytes = Array(value.utf8)
    let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    guard written == bytes.count else { throw SystemError("write \(value) to \(path)") }
}
