/// Nomad's wording for deployment statuses, shared by the scheduler, the watcher and the CLI.
public enum DeploymentText {
    public static let running = "Deployment is running"
    public static let needsPromotion = "Deployment is running but requires manual promotion"
    public static let pendingAutoPromotion = "Deployment is running pending automatic promotion"
    public static let paused = "Deployment is paused"
    public static let successful = "Deployment completed successfully"
    public static let markedFailed = "Deployment marked as failed"
    public static let unhealthy = "Failed due to unhealthy allocations"
    public static let progressDeadline = "Failed due to progress deadline"
    public static let stoppedJob = "Cancelled because job is stopped"
    public static let newerJob = "Cancelled due to newer version of job"

    /// "<reason> - rolling back to job version N"
    public static func rollingBack(_ reason: String, to version: UInt64) -> String {
        "\(reason) - rolling back to job version \(version)"
    }

    /// "<reason> - no stable job version to auto revert to"
    public static func noRollback(_ reason: String) -> String {
        "\(reason) - no stable job version to auto revert to"
    }
}
