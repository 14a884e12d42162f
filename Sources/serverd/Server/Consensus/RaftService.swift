import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import Logging
import Raft
import RaftStore

/// Serves `caravan.v1.Raft` on the Raft port: consensus messages, snapshot transfers, forwarded writes and
/// operator actions, and cluster formation. Only servers may call it (the access policy checks the role).
final class RaftService: Caravan_V1_Raft.SimpleServiceProtocol {
    let handle: ConsensusHandle
    let snapshots: SnapshotStore
    let logger: Logger

    init(handle: ConsensusHandle, snapshots: SnapshotStore, logger: Logger) {
        self.handle = handle
        self.snapshots = snapshots
        self.logger = logger
    }

    func stream(
        request: RPCAsyncSequence<Caravan_V1_RaftMessage, any Error>, context: ServerContext
    ) async throws -> Caravan_V1_RaftStreamSummary {
        let driver = try handle.driver()
        var received: UInt64 = 0
        do {
            for try await wire in request {
                do {
                    let message = try RaftWireFormat.decode(wire)
                    await driver.step(message)
                    received += 1
                } catch {
                    // One bad message does not end the stream; the peer keeps sending the good ones.
                    logger.warning(
                        "rejected malformed raft message",
                        metadata: ["peer": "\(context.remotePeer)", "error": "\(error)"])
                }
            }
        } catch is CancellationError {
            // This server is stopping.
        }
        return .with { $0.received = received }
    }

    func installSnapshot(
        request: RPCAsyncSequence<Caravan_V1_InstallSnapshotChunk, any Error>, context: ServerContext
    ) async throws -> Caravan_V1_InstallSnapshotResponse {
        let driver = try handle.driver()
        var writer: SnapshotWriter?
        var header: (from: NodeID, term: Term, metadata: SnapshotMetadata)?
        var expectedOffset: UInt64 = 0
        var checksum = ""
        do {
            for try await chunk in request {
                if writer == nil {
                    guard chunk.hasMetadata else {
                        throw CaravanError.invalidArgument("first snapshot chunk has no metadata")
                    }
                    let membership = try Membership(decoding: [UInt8](chunk.metadata.membership))
                    let metadata = SnapshotMetadata(
                        index: chunk.metadata.index, term: chunk.metadata.term, membership: membership)
                    header = (chunk.from, chunk.term, metadata)
                    writer = try snapshots.begin(metadata: metadata)
                }
                guard chunk.offset == expectedOffset else {
                    throw CaravanError.invalidArgument(
                        "snapshot chunk at offset \(chunk.offset), expected \(expectedOffset)")
                }
                try writer?.append([UInt8](chunk.data))
                expectedOffset += UInt64(chunk.data.count)
                if !chunk.sha256.isEmpty { checksum = chunk.sha256 }
            }
            guard let writer, let header, !checksum.isEmpty else {
                throw CaravanError.invalidArgument("snapshot stream ended without its checksum")
            }
            _ = try writer.finish(expectedDataSHA256Hex: checksum)
            _ = try? snapshots.prune(retain: 2)
            await driver.snapshotReceived(from: header.from, term: header.term, metadata: header.metadata)
            return .with { $0.accepted = true }
        } catch {
            writer?.abort()
            logger.warning("rejected snapshot", metadata: ["peer": "\(context.remotePeer)", "error": "\(error)"])
            if let error = error as? CaravanError { throw error.rpcError }
            throw RPCError(code: .invalidArgument, message: "snapshot rejected: \(error)")
        }
    }

    func forwardApply(
        request: Caravan_V1_ForwardApplyRequest, context: ServerContext
    ) async throws -> Caravan_V1_ForwardApplyResponse {
        let applied = try await handle.driver().proposeAsLeader([UInt8](request.command))
        return .with {
            $0.index = applied.index
            $0.result = (try? applied.result.serializedData()) ?? Data()
        }
    }

    func join(request: Caravan_V1_RaftJoinRequest, context: ServerContext) async throws -> Caravan_V1_RaftJoinResponse {
        try await handle.get().formation.handleJoin(request)
    }

    func forwardOperator(
        request: Caravan_V1_RaftOperatorRequest, context: ServerContext
    ) async throws -> Caravan_V1_RaftOperatorResponse {
        try await handle.driver().performOperatorAction(request)
    }
}
