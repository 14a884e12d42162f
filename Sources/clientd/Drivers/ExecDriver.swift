import CaravanProto
import Foundation
import SwiftProtobuf
import TaskExecutor

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a task isolated the way Nomad's exec driver does: its own mount, PID, UTS and IPC namespaces, a chroot
/// of the task dir with the host's system dirs read-only, an unprivileged user (default `nobody`) and cgroups
/// enforcing its CPU shares and memory limit.
public struct ExecDriver: ExecutorBackedDriver {
    public let name = "exec"
    public let cgroupRoot: String
    let client: ExecutorClient

    public init(executorPath: String, cgroupRoot: String = "/sys/fs/cgroup") {
        self.cgroupRoot = cgroupRoot
        client = ExecutorClient(driver: "exec", executorPath: executorPath)
    }

    public func fingerprint() -> Caravan_V1_DriverInfo {
        var info = Caravan_V1_DriverInfo()
        info.updatedAt = Google_Protobuf_Timestamp(date: Date())
        #if os(Linux)
            guard geteuid() == 0 else {
                info.healthDescription = "exec needs the client to run as root (it runs as uid \(geteuid()))"
                return info
            }
            guard let cgroups = Cgroups.detect(root: cgroupRoot) else {
                info.healthDescription = "exec needs cgroups, but nothing is mounted at \(cgroupRoot)"
                return info
            }
            if let missing = cgroups.missingControllers() {
                info.healthDescription = "exec: \(missing)"
                return info
            }
            guard access(client.executorPath, X_OK) == 0 else {
                info.detected = true
                info.healthDescription = "executor binary \(client.executorPath) is missing or not executable"
                return info
            }
            info.detected = true
            info.healthy = true
            info.healthDescription = "Healthy"
            info.attributes["driver.exec"] = "1"
            info.attributes["driver.exec.cgroup"] = cgroups.version.rawValue
        #else
            info.healthDescription = "exec runs only on Linux"
        #endif
        return info
    }

    public func parseConfig(_ config: Google_Protobuf_Struct) throws(DriverError) -> DriverTaskConfig {
        try DriverConfigParser.parse(config, driver: name)
    }

    public func start(_ launch: TaskLaunch, stateDir: String) async throws(DriverError) -> TaskHandle {
        var launch = launch
        launch.isolation = .namespaces
        launch.cgroupRoot = cgroupRoot
        return try await client.start(launch, stateDir: stateDir)
    }
}
