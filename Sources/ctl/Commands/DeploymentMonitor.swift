import CaravanProto
import GRPCCore
import Scheduler
import State
import SwiftProtobuf

/// Where `DeploymentMonitor` reads a deployment from: the servers in `ctl`, a script of answers in tests.
protocol DeploymentSource {
    /// The deployment once the state index passes `index` (a blocking query) or the wait runs out; with the index
    /// the answer reflects.
    func deployment(_ id: String, after index: UInt64) async throws -> (Caravan_V1_Deployment, UInt64)
}

/// Follows a deployment until it ends, printing a progress line whenever its status or counts change; used by
/// `ctl job run`, `job revert`, `job promote` and `deployment status -monitor`.
struct DeploymentMonitor {
    var source: any DeploymentSource
    var verbose = false
    /// Pause before asking again when an answer brought nothing new (a server that does not block, or a wait
    /// that ran out), so the loop never turns into a busy poll.
    var pause: @Sendable () async throws -> Void = { try await Task.sleep(for: .seconds(1)) }

    /// Prints through `emit`; returns 0 when the deployment succeeds, 1 when it fails or is cancelled.
    func run(deploymentID: String, emit: (String) -> Void) async throws -> Int32 {
        var (deployment, index) = try await source.deployment(deploymentID, after: 0)
        emit("==> Monitoring deployment \"\(DisplayText.shortID(deployment.id, verbose: verbose))\"")
        var last = DeploymentFormatter.progress(deployment, verbose: verbose)
        emit(last)
        while deployment.isRollingOut {
            try Task.checkCancellation()
            let seen = max(index, deployment.modifyIndex)
            let next = try await source.deployment(deployment.id, after: seen)
            if max(next.1, next.0.modifyIndex) <= seen { try await pause() }
            (deployment, index) = next
            let line = DeploymentFormatter.progress(deployment, verbose: verbose)
            if line != last { emit(line) }
            last = line
        }
        let outcome = Self.finished(deployment, verbose: verbose)
        outcome.lines.forEach(emit)
        return outcome.exitStatus
    }

    /// The closing lines and exit status of an ended deployment.
    static func finished(_ deployment: Caravan_V1_Deployment, verbose: Bool) -> EvalMonitorReport.Outcome {
        let id = DisplayText.shortID(deployment.id, verbose: verbose)
        let status = deployment.status.displayName
        var lines = [
            "==> Deployment \"\(id)\" \(status)"
                + (deployment.status == .successful ? "" : ": \(deployment.statusDescription)")
        ]
        lines += DeploymentFormatter.status(deployment, verbose: verbose).split(
            separator: "\n", omittingEmptySubsequences: false
        )
        .map { $0.isEmpty ? "" : "    " + $0 }
        return EvalMonitorReport.Outcome(lines: lines, exitStatus: deployment.status == .successful ? 0 : 1)
    }
}

/// Reads deployments from the servers with blocking queries of up to `maxWait`.
struct ServerDeploymentSource<Transport: ClientTransport>: DeploymentSource {
    var client: GRPCClient<Transport>
    var maxWait: Google_Protobuf_Duration = .init(seconds: 5)

    func deployment(_ id: String, after index: UInt64) async throws -> (Caravan_V1_Deployment, UInt64) {
        var request = Caravan_V1_GetDeploymentRequest()
        request.deploymentID = id
        request.query.minIndex = index
        if index > 0 { request.query.maxWait = maxWait }
        let response = try await Caravan_V1_Deployments.Client(wrapping: client).get(request)
        return (response.deployment, response.meta.index)
    }
}
