import ArgumentParser
import CaravanProto
import GRPCCore

/// `ctl deployment promote`: promotes canaries by deployment ID, then follows the rollout.
struct DeploymentPromoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Promote a deployment's canaries.",
        discussion: """
            Promotes the canaries of every task group, or only those named with -group (repeatable), then \
            follows the evaluation and the deployment until it ends, unless -detach. Refused, changing nothing, \
            when the deployment has ended, has no canaries, or its canaries are not all healthy yet.
            Exit status: 0 when promoted (and, when followed, the deployment succeeded); 1 when refused or the \
            deployment fails; 2 when allocations could not be placed; 64 for bad arguments.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Option(name: .hashicorp("group"), help: ArgumentHelp("Promote only this task group (repeatable).", valueName: "G"))
    var groups: [String] = []
    @Flag(name: .hashicorp("detach"), help: "Return once promoted, without watching the rollout.") var detach = false
    @Flag(name: .hashicorp("verbose"), help: "Print full IDs.") var verbose = false
    @Argument(help: "The deployment's ID or a unique prefix of it.") var deployment: String

    func run() async throws {
        try await runVerb {
            try await connection.dialer().withClient(try connection.target()) { client in
                let deployments = Caravan_V1_Deployments.Client(wrapping: client)
                let found = try await deployments.get(.with { $0.deploymentID = deployment }).deployment
                let response = try await deployments.promote(
                    .with {
                        $0.deploymentID = found.id
                        $0.all = groups.isEmpty
                        $0.groups = groups
                    })
                return try await DeploymentWriteText.followPromotion(
                    response, deployment: found, client: client, detach: detach, verbose: verbose,
                    emit: { print($0) })
            }
        }
    }
}

/// `ctl deployment fail`: marks a deployment failed (rolling back where auto_revert is set).
struct DeploymentFailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fail",
        abstract: "Mark a deployment failed.",
        discussion: """
            Stops the rollout. When a task group has auto_revert and an older stable version differs from the \
            current job, the job is registered again at that version. Then follows the evaluation unless -detach. \
            Refused, changing nothing, when the deployment has already ended.
            Exit status: 0 when marked failed; 1 when refused or the evaluation fails; 64 for bad arguments.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Flag(name: .hashicorp("detach"), help: "Return at once, without watching the evaluation.") var detach = false
    @Flag(name: .hashicorp("verbose"), help: "Print full IDs.") var verbose = false
    @Argument(help: "The deployment's ID or a unique prefix of it.") var deployment: String

    func run() async throws {
        try await runVerb {
            try await connection.dialer().withClient(try connection.target()) { client in
                let response = try await Caravan_V1_Deployments.Client(wrapping: client).fail(
                    .with { $0.deploymentID = deployment })
                print(DeploymentWriteText.failed(deployment, revertedTo: response.revertedJobVersionOrNil))
                return try await DeploymentWriteText.monitor(
                    evaluationID: response.evalID, client: client, detach: detach, verbose: verbose)
            }
        }
    }
}

/// `ctl deployment pause`: holds a rolling update where it is.
struct DeploymentPauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Pause a running deployment.",
        discussion: """
            No further allocations are replaced until `ctl deployment resume`. Refused, changing nothing, when \
            the deployment is already paused or has ended.
            Exit status: 0 when paused; 1 when refused; 64 for bad arguments.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The deployment's ID or a unique prefix of it.") var deployment: String

    func run() async throws {
        try await runVerb {
            _ = try await connection.dialer().withClient(try connection.target()) { client in
                try await Caravan_V1_Deployments.Client(wrapping: client).pause(
                    .with {
                        $0.deploymentID = deployment
                        $0.pause = true
                    })
            }
            print("Deployment \"\(deployment)\" paused")
            return 0
        }
    }
}

/// `ctl deployment resume`: continues a paused rolling update.
struct DeploymentResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Resume a paused deployment.",
        discussion: """
            The rollout continues; follows the evaluation that continues it unless -detach. Refused, changing \
            nothing, when the deployment is not paused.
            Exit status: 0 when resumed; 1 when refused or the evaluation fails; 64 for bad arguments.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Flag(name: .hashicorp("detach"), help: "Return at once, without watching the evaluation.") var detach = false
    @Flag(name: .hashicorp("verbose"), help: "Print full IDs.") var verbose = false
    @Argument(help: "The deployment's ID or a unique prefix of it.") var deployment: String

    func run() async throws {
        try await runVerb {
            try await connection.dialer().withClient(try connection.target()) { client in
                let response = try await Caravan_V1_Deployments.Client(wrapping: client).pause(
                    .with { $0.deploymentID = deployment })
                print("Deployment \"\(deployment)\" resumed")
                return try await DeploymentWriteText.monitor(
                    evaluationID: response.evalID, client: client, detach: detach, verbose: verbose)
            }
        }
    }
}

/// What the deployment writes print, and the monitoring they share.
enum DeploymentWriteText {
    static func failed(_ deployment: String, revertedTo version: UInt64?) -> String {
        guard let version else { return "Deployment \"\(deployment)\" failed" }
        return "Deployment \"\(deployment)\" failed. Auto-reverted to job version \(version)."
    }

    /// Follows the evaluation a write created (nothing with -detach or without one).
    static func monitor<Transport: ClientTransport>(
        evaluationID: String, client: GRPCClient<Transport>, detach: Bool, verbose: Bool
    ) async throws -> Int32 {
        guard !detach, !evaluationID.isEmpty else { return 0 }
        print("")
        return try await EvalMonitor(source: ServerEvaluationSource(client: client), verbose: verbose).run(
            evaluationID: evaluationID, emit: { print($0) })
    }

    /// After a promotion: the evaluation, then the deployment until it ends (nothing with -detach).
    static func followPromotion<Transport: ClientTransport>(
        _ response: Caravan_V1_PromoteDeploymentResponse, deployment: Caravan_V1_Deployment,
        client: GRPCClient<Transport>, detach: Bool, verbose: Bool, emit: (String) -> Void
    ) async throws -> Int32 {
        emit("==> Deployment \"\(DisplayText.shortID(deployment.id, verbose: verbose))\" promoted")
        guard !detach else { return 0 }
        let rollout = RolloutMonitor(client: client, verbose: verbose)
        if !response.evalID.isEmpty {
            emit("")
            let status = try await EvalMonitor(source: ServerEvaluationSource(client: client), verbose: verbose)
                .run(evaluationID: response.evalID, emit: emit)
            guard status == 0 else { return status }
        }
        return try await rollout.follow(deploymentID: deployment.id, emit: emit)
    }
}

extension Caravan_V1_FailDeploymentResponse {
    var revertedJobVersionOrNil: UInt64? { hasRevertedJobVersion ? revertedJobVersion : nil }
}
