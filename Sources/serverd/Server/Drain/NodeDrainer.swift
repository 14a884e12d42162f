import CaravanProto
import CaravanRPC
import Foundation
import Logging
import State

/// Drains nodes while this server leads (Nomad's node drainer): looks at the state every `interval`, marks the
/// allocations `DrainPlanner` picks for migration and records the drains that are complete.
///
/// Stateless between ticks: every decision is read back from the replicated state, so a new leader resumes a
/// drain exactly where the previous one left it.
struct NodeDrainer: Sendable {
    static let completeEvent = "Node drain complete"

    let cluster: any ClusterAccess
    let logger: Logger
    let now: @Sendable () -> Date
    var interval: Duration = .milliseconds(250)

    /// Drains until cancelled (leadership lost).
    func run() async {
        while !Task.isCancelled {
            do {
                try await tick()
            } catch {
                if !Task.isCancelled { logger.warning("node drain step failed", metadata: ["error": "\(error)"]) }
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// Carries out one step: one command marking allocations (with an evaluation per job), then one command per
    /// completed drain. Returns the step taken.
    @discardableResult
    func tick() async throws -> DrainStep {
        let view = try await cluster.latestView()
        let time = now()
        let step = DrainPlanner.next(view.cluster, now: time)
        if !step.migrate.isEmpty {
            let migrate = Caravan_V1_DesiredTransition.with { $0.migrate = true }
            var command = StateCommands.envelope(at: time)
            command.allocTransitions = Caravan_V1_AllocTransitionsCommand.with {
                $0.transitions = Dictionary(uniqueKeysWithValues: step.migrate.map { ($0, migrate) })
                $0.evals = step.jobs.compactMap { view.cluster.job(namespace: $0.namespace, id: $0.id) }
                    .map { EvalFactory.evaluation(for: $0, trigger: .nodeDrain, at: time) }
            }
            try await propose(command)
            logger.info("allocations marked for migration", metadata: ["allocs": "\(step.migrate)"])
        }
        for nodeID in step.complete {
            var command = StateCommands.envelope(at: time)
            command.updateNodeDrain = Caravan_V1_UpdateNodeDrainCommand.with {
                $0.nodeID = nodeID
                $0.event = Self.completeEvent
                if let started = view.cluster.nodes[nodeID]?.drainStrategy.startedAt { $0.onlyIfStartedAt = started }
            }
            try await propose(command)
            logger.info("node drain complete", metadata: ["node": "\(nodeID)"])
        }
        return step
    }

    private func propose(_ command: Caravan_V1_StateCommand) async throws {
        let applied = try await cluster.proposeAsLeader(command)
        if let refusal = applied.result.refusal { throw refusal }
    }
}
