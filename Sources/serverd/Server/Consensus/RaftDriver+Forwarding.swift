import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import Raft

extension RaftDriver {
    /// Writes `data` through the leader, wherever it is: locally when this server leads, else forwarded.
    /// Waits up to an election timeout for a leader when there is none yet.
    public func propose(_ data: [UInt8]) async throws -> AppliedEntry {
        let leader = try await awaitLeader()
        if leader.id == id {
            return try await proposeAsLeader(data)
        }
        let request = Caravan_V1_ForwardApplyRequest.with { $0.command = Data(data) }
        let response = try await transport.requests.withClient(leader.raftAddress) {
            try await Caravan_V1_Raft.Client(wrapping: $0).forwardApply(request)
        }
        let result = try Caravan_V1_StateCommandResult(serializedBytes: response.result)
        // Reads on this server that follow must see the write: wait until it is applied here too.
        try await waitUntilApplied(response.index)
        return AppliedEntry(index: response.index, result: result)
    }

    /// Runs an operator action on the leader, forwarding when this server does not lead.
    public func forwardOperator(_ request: Caravan_V1_RaftOperatorRequest) async throws
        -> Caravan_V1_RaftOperatorResponse
    {
        let leader = try await awaitLeader()
        if leader.id == id {
            return try await performOperatorAction(request)
        }
        return try await transport.requests.withClient(leader.raftAddress) {
            try await Caravan_V1_Raft.Client(wrapping: $0).forwardOperator(request)
        }
    }

    /// The current leader, waiting briefly (about two election timeouts) while an election runs.
    func awaitLeader() async throws -> RaftMember {
        try checkAvailable()
        let patience = settings.tickInterval * (settings.electionTicks * 2)
        let deadline = ContinuousClock.now + patience
        while true {
            if let leader = node.leader {
                if leader == id { return selfMember }
                if let member = knownMembers[leader] { return member }
            }
            guard ContinuousClock.now < deadline else { throw CaravanError.unavailable("no cluster leader") }
            try await Task.sleep(for: settings.tickInterval)
            try checkAvailable()
        }
    }
}

extension RaftDriver {
    /// Waits (about two election timeouts) until leadership moved away from this server, or to `target`
    /// when given; returns the new leader's ID.
    public func awaitLeaderChange(to target: NodeID) async throws -> NodeID {
        let deadline = ContinuousClock.now + settings.tickInterval * (settings.electionTicks * 2)
        let previous = node.leader
        while ContinuousClock.now < deadline {
            if let leader = node.leader, target == 0 ? leader != previous : leader == target {
                return leader
            }
            try await Task.sleep(for: settings.tickInterval)
        }
        throw CaravanError(.deadlineExceeded, "leadership did not move within the election timeout")
    }
}
