import CaravanProto
import Foundation
import SwiftProtobuf
import TaskExecutor

/// Runs a task as a plain child of its executor, with no isolation: the client's own filesystem, and its user
/// unless the task sets one. Off unless the operator enables it, as in Nomad, because tasks then run with the
/// client's privileges.
public struct RawExecDriver: ExecutorBackedDriver {
    public let name = "raw_exec"
    public let enabled: Bool
    let client: ExecutorClient

    public init(enabled: Bool, executorPath: String) {
        self.enabled = enabled
        client = ExecutorClient(driver: "raw_exec", executorPath: executorPath)
    }

    public func fingerprint() -> Caravan_V1_DriverInfo {
        var info = Caravan_V1_DriverInfo()
        info.updatedAt = Google_Protobuf_Timestamp(date: Date())
        guard enabled else {
            info.detected = false
            info.healthy = false
            info.healthDescription =
                "raw_exec is disabled; enable it in the client config with plugin \"raw_exec\" { config { enabled = true } }"
            return info
        }
        info.detected = true
        info.attributes["driver.raw_exec"] = "1"
        if access(client.executorPath, X_OK) == 0 {
            info.healthy = true
            info.healthDescription = "Healthy"
        } else {
            info.healthy = false
            info.healthDescription = "executor binary \(client.executorPath) is missing or not executable"
        }
        return info
    }

    public func parseConfig(_ config: Google_Protobuf_Struct) throws(DriverError) -> DriverTaskConfig {
        try DriverConfigParser.parse(config, driver: name)
    }

    public func start(_ launch: TaskLaunch, stateDir: String) async throws(DriverError) -> TaskHandle {
        guard enabled else {
            throw .unavailable(
                "raw_exec is disabled on this node; enable it with plugin \"raw_exec\" { config { enabled = true } }")
        }
        guard launch.mounts.isEmpty else {
            throw .startFailed("raw_exec cannot mount volumes (it has no filesystem isolation); use the exec driver")
        }
        var launch = launch
        launch.isolation = .none
        return try await client.start(launch, stateDir: stateDir)
    }
}
