import CaravanRPC
import Foundation
import Logging
import Raft
import RaftStore

extension RaftDriver {
    /// Reads what a previous run left: the log store and the newest valid snapshot, which is loaded into the
    /// state machine. Fails when the log was compacted past every usable snapshot (entries would be missing).
    static func restore(
        logStore: RaftLogStore, snapshots: SnapshotStore, stateMachine: any ConsensusStateMachine, logger: Logger
    ) throws -> RestoredRaftState {
        let persisted = try logStore.load()
        let scan = try snapshots.scan()
        for problem in scan.skipped {
            logger.warning("skipping damaged snapshot", metadata: ["file": "\(problem.path)", "error": "\(problem)"])
        }
        var snapshot: SnapshotMetadata?
        if let latest = scan.latest {
            try stateMachine.restore(from: latest.readData())
            snapshot = latest.metadata
        }
        let logStart = persisted.snapshot?.index ?? 0
        if logStart > (snapshot?.index ?? 0) {
            throw CaravanError.unavailable(
                "\(logStore.path): the log starts after index \(logStart) but the newest usable snapshot ends at "
                    + "\(snapshot?.index ?? 0); entries in between are lost. Restore from a peer by wiping this "
                    + "server's data dir, or restore a snapshot with ctl operator snapshot restore")
        }
        return RestoredRaftState(persisted: persisted, snapshot: snapshot)
    }

    /// Takes a snapshot once enough entries were applied since the last one, then compacts the log.
    func maybeSnapshot() {
        let last = node.latestSnapshot?.index ?? 0
        guard !snapshotting, node.applied >= last + settings.snapshotThreshold,
            let metadata = try? node.snapshotMetadata(at: node.applied)
        else { return }
        let source = stateMachine.snapshotSource()
        guard source.index == metadata.index else {
            logger.error(
                "state machine and raft disagree on the applied index; not snapshotting",
                metadata: ["state": "\(source.index)", "raft": "\(metadata.index)"])
            return
        }
        snapshotting = true
        let store = snapshots
        let retained = settings.retainedSnapshots
        let queue = snapshotQueue
        Task {
            do {
                // Encoding and writing run on their own thread, so log writes (and so commits) go on meanwhile.
                let size = try await Self.run(on: queue) {
                    let data = try source.encode()
                    let writer = try store.begin(metadata: metadata)
                    try writer.append(data)
                    _ = try writer.finish(expectedDataSHA256Hex: nil)
                    _ = try store.prune(retain: retained)
                    return data.count
                }
                await snapshotWritten(metadata, size: size)
            } catch {
                logger.error("snapshot failed", metadata: ["index": "\(metadata.index)", "error": "\(error)"])
                snapshotting = false
            }
        }
    }

    private func snapshotWritten(_ metadata: SnapshotMetadata, size: Int) async {
        defer { snapshotting = false }
        let through = metadata.index > settings.trailingLogs ? metadata.index - settings.trailingLogs : 0
        guard let start = node.snapshotStored(metadata, compactThrough: through) else { return }
        let store = logStore
        do {
            try await onStorageThread { try store.compact(through: start) }
            logger.info(
                "snapshot taken",
                metadata: ["index": "\(metadata.index)", "bytes": "\(size)", "log_start": "\(start.index)"])
        } catch {
            storageFailedDuringCompaction(error)
        }
    }

    private func storageFailedDuringCompaction(_ error: any Error) {
        // The in-memory log already dropped the entries; the store keeping them is harmless, just larger.
        logger.error("log compaction failed", metadata: ["error": "\(error)"])
    }

    /// A snapshot sent by the leader is stored; hand it to the core, which asks for its installation.
    func snapshotReceived(from leader: NodeID, term: Term, metadata: SnapshotMetadata) {
        step(Message(from: leader, to: id, term: term, kind: .snapshot(metadata)))
    }

    /// Replaces the state machine with the stored snapshot the core asked to install.
    func installSnapshot(_ metadata: SnapshotMetadata) async throws {
        let store = snapshots
        let data: [UInt8] = try await onStorageThread {
            guard let latest = try store.latest(), latest.metadata == metadata else {
                throw CaravanError.unavailable("snapshot \(metadata.index) to install is not stored")
            }
            return try latest.readData()
        }
        try stateMachine.restore(from: data)
        logger.info(
            "installed snapshot from leader", metadata: ["index": "\(metadata.index)", "bytes": "\(data.count)"])
    }
}
