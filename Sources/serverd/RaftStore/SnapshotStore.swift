import Raft
import Synchronization

/// State-machine snapshots as checksummed files in `<directory>/snapshots/`, named `<term>-<index>.snap`.
///
/// Files are written under a `.tmp` name, synced and renamed, so a published file is always complete; a file
/// damaged later fails its checksum and is skipped, so it cannot hide an older good snapshot.
public final class SnapshotStore: Sendable {
    /// The `snapshots` directory.
    public let directory: String
    /// Temporary files of writers still running, which `prune` must leave alone.
    private let writing = Mutex<Set<String>>([])

    /// Opens `<directory>/snapshots`, creating it (mode 0700) if it is missing.
    public init(directory: String) throws {
        self.directory = directory + "/snapshots"
        try FileSystem.createDirectory(self.directory)
    }

    /// Starts writing a snapshot; nothing is visible to `latest()` until the writer's `finish` succeeds.
    public func begin(metadata: SnapshotMetadata) throws -> SnapshotWriter {
        let name = SnapshotFileFormat.fileName(for: metadata)
        let nonce = SnapshotFileFormat.hex(SnapshotFileFormat.littleEndian(UInt64.random(in: 0...UInt64.max)))
        let temporaryPath = "\(directory)/\(name).\(nonce)\(SnapshotFileFormat.tempSuffix)"
        writing.withLock { _ = $0.insert(temporaryPath) }
        do {
            return try SnapshotWriter(
                store: self, metadata: metadata, temporaryPath: temporaryPath, finalPath: "\(directory)/\(name)")
        } catch {
            finishedWriting(temporaryPath)
            throw error
        }
    }

    /// The newest snapshot that passes its checks, and every newer file that did not, with the reason.
    public func scan() throws -> SnapshotScan {
        var skipped: [SnapshotProblem] = []
        for candidate in try candidates() {
            do {
                return SnapshotScan(latest: try Self.verify(candidate), skipped: skipped)
            } catch let error as RaftStoreError {
                skipped.append(SnapshotProblem(path: candidate.path, error: error))
            }
        }
        return SnapshotScan(latest: nil, skipped: skipped)
    }

    /// The newest snapshot that passes its checks; see `scan()` for the files skipped on the way.
    public func latest() throws -> StoredSnapshot? {
        try scan().latest
    }

    /// Keeps the newest `retain` good snapshots and deletes every other snapshot file, damaged ones included,
    /// and every temporary file no writer is using. Returns the paths deleted.
    @discardableResult
    public func prune(retain: Int) throws -> [String] {
        var kept = 0
        var deleted: [String] = []
        for candidate in try candidates() {
            if kept < retain, (try? Self.verify(candidate)) != nil {
                kept += 1
                continue
            }
            try FileSystem.remove(candidate.path)
            deleted.append(candidate.path)
        }
        let busy = writing.withLock { $0 }
        for name in try FileSystem.contents(of: directory) where name.hasSuffix(SnapshotFileFormat.tempSuffix) {
            let path = "\(directory)/\(name)"
            guard !busy.contains(path) else { continue }
            try FileSystem.remove(path)
            deleted.append(path)
        }
        if !deleted.isEmpty { try FileSystem.syncDirectory(directory) }
        return deleted
    }

    func finishedWriting(_ temporaryPath: String) {
        writing.withLock { _ = $0.remove(temporaryPath) }
    }

    private struct Candidate {
        var path: String
        var term: Term
        var index: Index
    }

    /// Snapshot files by name, newest first; other files are not the store's business.
    private func candidates() throws -> [Candidate] {
        try FileSystem.contents(of: directory)
            .compactMap { name in
                SnapshotFileFormat.parseFileName(name).map {
                    Candidate(path: "\(directory)/\(name)", term: $0.term, index: $0.index)
                }
            }
            .sorted { ($0.term, $0.index) > ($1.term, $1.index) }
    }

    private static func verify(_ candidate: Candidate) throws -> StoredSnapshot {
        let snapshot = try SnapshotFileFormat.verify(path: candidate.path)
        guard snapshot.metadata.term == candidate.term, snapshot.metadata.index == candidate.index else {
            throw RaftStoreError.corrupt(
                "\(candidate.path): holds the snapshot at term \(snapshot.metadata.term) index "
                    + "\(snapshot.metadata.index), not the one its name says")
        }
        return snapshot
    }
}

/// What `SnapshotStore.scan()` found: the snapshot to use, and the newer files it had to skip.
public struct SnapshotScan: Sendable, Hashable {
    public var latest: StoredSnapshot?
    /// Newer snapshot files that failed their checks, newest first; worth logging, since they mean disk damage.
    public var skipped: [SnapshotProblem]
}

/// A snapshot file that could not be used, and why.
public struct SnapshotProblem: Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var error: RaftStoreError

    public var description: String { error.description }
}
