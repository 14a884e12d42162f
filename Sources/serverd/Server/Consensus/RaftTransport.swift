import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import Logging
import Raft
import RaftStore
import Synchronization

/// Carries Raft messages to the other servers: one long-lived mTLS gRPC stream per peer, reconnecting with
/// back-off, plus a separate stream per snapshot transfer. Sending never blocks the consensus loop.
final class RaftTransport: Sendable {
    private struct Peer {
        var address: HostPort
        var mailbox: PeerMailbox
        var task: Task<Void, Never>
    }

    static let snapshotChunkSize = 1 << 20

    let selfID: NodeID
    /// Streams last long; the dialer's deadline is the limit of one stream, after which it is reopened.
    let dialer: RPCDialer
    /// For forwarded writes and operator actions, which must answer within the request timeout; kept open.
    let requests: RPCConnectionPool
    let identity: AgentIdentity
    let snapshots: SnapshotStore
    let logger: Logger
    private let peers = Mutex<[NodeID: Peer]>([:])
    private let snapshotTransfers = Mutex<[NodeID: Task<Void, Never>]>([:])

    init(
        selfID: NodeID, tls: TLSMaterial, region: String, snapshots: SnapshotStore, requestTimeout: Duration,
        logger: Logger
    ) {
        self.selfID = selfID
        self.dialer = RPCDialer(tls: tls, callTimeout: .seconds(600))
        self.requests = RPCConnectionPool(
            dialer: RPCDialer(tls: tls, callTimeout: requestTimeout),
            expecting: AgentIdentity(role: .server, region: region))
        self.identity = AgentIdentity(role: .server, region: region)
        self.snapshots = snapshots
        self.logger = logger
    }

    /// Opens streams to new members, closes those of members that left or moved.
    func update(members: [NodeID: RaftMember]) {
        let stale: [Peer] = peers.withLock { peers in
            var stale: [Peer] = []
            for (id, peer) in peers where members[id]?.raftAddress != peer.address {
                stale.append(peer)
                peers[id] = nil
            }
            for (id, member) in members where id != selfID && peers[id] == nil {
                let mailbox = PeerMailbox()
                let task = Task { [self] in await self.runStream(to: member.raftAddress, mailbox: mailbox) }
                peers[id] = Peer(address: member.raftAddress, mailbox: mailbox, task: task)
            }
            return stale
        }
        for peer in stale {
            peer.mailbox.close()
            peer.task.cancel()
        }
    }

    /// Queues messages for their peers; messages to unknown peers are dropped (Raft retries).
    func send(_ messages: [Message]) {
        guard !messages.isEmpty else { return }
        peers.withLock { peers in
            for message in messages {
                peers[message.to]?.mailbox.push(message)
            }
        }
    }

    func address(of id: NodeID) -> HostPort? {
        peers.withLock { $0[id]?.address }
    }

    func shutdown() {
        let pool = requests
        Task { await pool.shutdown() }
        let all = peers.withLock { peers in
            let all = Array(peers.values)
            peers.removeAll()
            return all
        }
        for peer in all {
            peer.mailbox.close()
            peer.task.cancel()
        }
        snapshotTransfers.withLock { transfers in
            for task in transfers.values { task.cancel() }
            transfers.removeAll()
        }
    }

    private func runStream(to address: HostPort, mailbox: PeerMailbox) async {
        var delay = Duration.milliseconds(50)
        while !Task.isCancelled {
            do {
                try await dialer.withClient(address, expecting: identity) { client in
                    let raft = Caravan_V1_Raft.Client(wrapping: client)
                    let request = StreamingClientRequest(of: Caravan_V1_RaftMessage.self) { writer in
                        mailbox.setConnected(true)
                        while let batch = await mailbox.take() {
                            for message in batch {
                                try await writer.write(RaftWireFormat.encode(message))
                            }
                        }
                    }
                    _ = try await raft.stream(request: request)
                }
                delay = .milliseconds(50)
            } catch {
                mailbox.setConnected(false)
                logger.debug("raft stream ended", metadata: ["peer": "\(address)", "error": "\(error)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(1))
            }
        }
    }

    /// Streams the stored snapshot `metadata` to `peer`; `completion` learns whether the peer accepted it.
    func sendSnapshot(
        _ message: Message, metadata: SnapshotMetadata, completion: @escaping @Sendable (Bool) async -> Void
    ) {
        guard let address = address(of: message.to) else {
            Task { await completion(false) }
            return
        }
        let task = Task { [self] in
            let accepted: Bool
            do {
                accepted = try await streamSnapshot(message, metadata: metadata, to: address)
            } catch {
                logger.warning(
                    "snapshot transfer failed",
                    metadata: ["peer": "\(address)", "index": "\(metadata.index)", "error": "\(error)"])
                accepted = false
            }
            await completion(accepted)
        }
        let previous = snapshotTransfers.withLock { $0.updateValue(task, forKey: message.to) }
        previous?.cancel()
    }

    private func streamSnapshot(_ message: Message, metadata: SnapshotMetadata, to address: HostPort) async throws
        -> Bool
    {
        guard let stored = try snapshots.latest(), stored.metadata == metadata else {
            throw CaravanError.unavailable("snapshot \(metadata.index) is no longer stored here")
        }
        let request = StreamingClientRequest(of: Caravan_V1_InstallSnapshotChunk.self) { writer in
            let reader = try stored.openReader(chunkSize: Self.snapshotChunkSize)
            var first = true
            repeat {
                var chunk = Caravan_V1_InstallSnapshotChunk()
                chunk.offset = reader.offset
                if first {
                    chunk.from = message.from
                    chunk.to = message.to
                    chunk.term = message.term
                    chunk.size = stored.dataSize
                    chunk.metadata = .with {
                        $0.index = metadata.index
                        $0.term = metadata.term
                        $0.membership = Data(metadata.membership.encoded())
                    }
                    first = false
                }
                let data = try reader.next()
                if let data { chunk.data = Data(data) }
                if data == nil || reader.offset >= stored.dataSize {
                    chunk.sha256 = stored.dataSHA256Hex
                    try await writer.write(chunk)
                    break
                }
                try await writer.write(chunk)
            } while true
        }
        return try await dialer.withClient(address, expecting: identity) { client in
            try await Caravan_V1_Raft.Client(wrapping: client).installSnapshot(request: request).accepted
        }
    }
}
