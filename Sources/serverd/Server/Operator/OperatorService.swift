import CaravanProto
import CaravanRPC
import Crypto
import Foundation
import GRPCCore
import Raft
import State

/// Serves `caravan.v1.Operator` for `ctl operator`: Raft membership and leadership, and point-in-time
/// snapshots of the replicated state (save, restore, inspect). Scheduler settings arrive with the scheduler.
public struct OperatorService: Caravan_V1_Operator.SimpleServiceProtocol {
    let handle: ConsensusHandle

    public init(handle: ConsensusHandle) {
        self.handle = handle
    }

    public func raftListPeers(
        request: Caravan_V1_RaftListPeersRequest, context: ServerContext
    ) async throws -> Caravan_V1_RaftListPeersResponse {
        // The leader knows every peer's progress and health; followers ask it.
        try await handle.driver().forwardOperator(.with { $0.listPeers = true }).peers
    }

    public func raftRemovePeer(
        request: Caravan_V1_RaftRemovePeerRequest, context: ServerContext
    ) async throws -> Caravan_V1_RaftRemovePeerResponse {
        let driver = try handle.driver()
        let status = await driver.status
        let target: NodeID
        switch request.peer {
        case .id(let text):
            guard let id = RaftPeerID.parse(text), status.membership.contains(id) else {
                throw CaravanError.notFound("no raft peer with ID \(text)")
            }
            target = id
        case .address(let text):
            guard let id = status.members.values.first(where: { $0.raftAddress.description == text })?.id else {
                throw CaravanError.notFound("no raft peer at address \(text)")
            }
            target = id
        case .none:
            throw CaravanError.invalidArgument("give the peer's ID or address")
        }
        let response = try await driver.forwardOperator(.with { $0.removeServer = target })
        return .with { $0.meta.index = response.index }
    }

    public func raftTransferLeadership(
        request: Caravan_V1_RaftTransferLeadershipRequest, context: ServerContext
    ) async throws -> Caravan_V1_RaftTransferLeadershipResponse {
        var target: NodeID = 0
        if !request.targetID.isEmpty {
            guard let id = RaftPeerID.parse(request.targetID) else {
                throw CaravanError.invalidArgument("-id \(request.targetID): not a raft peer ID (16 hex digits)")
            }
            target = id
        }
        let driver = try handle.driver()
        let response = try await driver.forwardOperator(.with { $0.transferLeadershipTo = target })
        let newLeader = try await driver.awaitLeaderChange(to: response.leaderID)
        return .with { $0.leaderID = RaftPeerID.format(newLeader) }
    }

    public func snapshotSave(
        request: Caravan_V1_SnapshotSaveRequest, response: RPCWriter<Caravan_V1_SnapshotChunk>,
        context: ServerContext
    ) async throws {
        let driver = try handle.driver()
        if !request.allowStale {
            _ = try await driver.readBarrier()
        }
        let source = await driver.withStateMachine { $0.snapshotSource() }
        let data = try source.encode()
        let index = source.index
        for chunk in StateSnapshotFile.chunks(of: data, index: index, term: await driver.status.term) {
            try await response.write(chunk)
        }
    }

    public func snapshotRestore(
        request: RPCAsyncSequence<Caravan_V1_SnapshotChunk, any Error>, context: ServerContext
    ) async throws -> Caravan_V1_SnapshotRestoreResponse {
        let (_, data) = try await StateSnapshotFile.collect(request)
        // Check it decodes before it goes into the log: a bad entry would be refused by every replica anyway.
        _ = try StateSnapshotFile.inspect(data)
        var command = StateCommands.envelope(at: Date())
        command.restoreSnapshot = Data(data)
        let applied = try await RaftReplicatedState(handle: handle).propose(command)
        if case .error(let error)? = applied.result.result {
            throw CaravanError(.failedPrecondition, "restore refused: \(error.message)")
        }
        return .with { $0.meta.index = applied.index }
    }

    public func snapshotInspect(
        request: RPCAsyncSequence<Caravan_V1_SnapshotChunk, any Error>, context: ServerContext
    ) async throws -> Caravan_V1_SnapshotInspectResponse {
        let (metadata, data) = try await StateSnapshotFile.collect(request)
        var info = try StateSnapshotFile.inspect(data)
        info.term = metadata.term
        return .with { $0.info = info }
    }

    public func schedulerGetConfig(
        request: Caravan_V1_SchedulerGetConfigRequest, context: ServerContext
    ) async throws -> Caravan_V1_SchedulerGetConfigResponse {
        throw CaravanError(.unimplemented, "scheduler settings are not available yet")
    }

    public func schedulerSetConfig(
        request: Caravan_V1_SchedulerSetConfigRequest, context: ServerContext
    ) async throws -> Caravan_V1_SchedulerSetConfigResponse {
        throw CaravanError(.unimplemented, "scheduler settings are not available yet")
    }
}

/// Raft server IDs as operators see them: 16 lower-case hex digits.
public enum RaftPeerID {
    public static func format(_ id: NodeID) -> String {
        let hex = String(id, radix: 16)
        return String(repeating: "0", count: max(0, 16 - hex.count)) + hex
    }

    public static func parse(_ text: String) -> NodeID? {
        guard !text.isEmpty, text.count <= 16, let id = UInt64(text, radix: 16), id != 0 else { return nil }
        return id
    }
}
