import GRDB
import Raft

extension RaftLogStore {
    /// Everything persisted, checked before a node is rebuilt from it.
    ///
    /// The log must start right after the snapshot (or at index 1), have no gaps, never lower its term, and the
    /// commit index must not pass its end; otherwise this throws `RaftStoreError.corrupt` with the reason.
    public func load() throws -> PersistedRaftState {
        try read { db in
            let snapshot = try readSnapshot(db)
            let hardState = try readHardState(db) ?? HardState()
            let entries = try readEntries(after: snapshot, db)
            let state = PersistedRaftState(hardState: hardState, snapshot: snapshot, entries: entries)
            guard hardState.commit <= state.lastIndex else {
                throw RaftStoreError.corrupt(
                    "\(path): hard state commit \(hardState.commit) is beyond the last index \(state.lastIndex)")
            }
            return state
        }
    }

    private func readSnapshot(_ db: Database) throws -> SnapshotMetadata? {
        let sql = #"SELECT "index", term, membership FROM snapshot_meta WHERE id = 1"#
        guard let row = try Row.fetchOne(db, sql: sql) else { return nil }
        let checked = CheckedRow(row: row, place: "\(path) snapshot_meta")
        let index = UInt64(bitPattern: try checked.int64(0, "index"))
        let term = UInt64(bitPattern: try checked.int64(1, "term"))
        let membership: Membership
        do {
            membership = try Membership(decoding: try checked.bytes(2, "membership"))
        } catch let error as RaftCodecError {
            throw RaftStoreError.corrupt("\(path) snapshot_meta: \(error)")
        }
        return SnapshotMetadata(index: index, term: term, membership: membership)
    }

    private func readHardState(_ db: Database) throws -> HardState? {
        let sql = #"SELECT term, vote, "commit" FROM hard_state WHERE id = 1"#
        guard let row = try Row.fetchOne(db, sql: sql) else { return nil }
        let checked = CheckedRow(row: row, place: "\(path) hard_state")
        return HardState(
            term: UInt64(bitPattern: try checked.int64(0, "term")),
            vote: try checked.optionalInt64(1, "vote").map { UInt64(bitPattern: $0) },
            commit: UInt64(bitPattern: try checked.int64(2, "commit")))
    }

    private func readEntries(after snapshot: SnapshotMetadata?, _ db: Database) throws -> [Entry] {
        let base = snapshot?.index ?? 0
        var previousTerm = snapshot?.term ?? 0
        var entries: [Entry] = []
        let rows = try Row.fetchCursor(db, sql: #"SELECT "index", term, type, data FROM entries ORDER BY "index""#)
        while let row = try rows.next() {
            let checked = CheckedRow(row: row, place: "\(path) entries row \(entries.count + 1)")
            let index = UInt64(bitPattern: try checked.int64(0, "index"))
            let expected = (entries.last?.index ?? base) &+ 1
            guard index == expected else {
                throw RaftStoreError.corrupt("\(path): \(Self.describeMisplaced(index, expected, entries, snapshot))")
            }
            let term = UInt64(bitPattern: try checked.int64(1, "term"))
            guard term >= previousTerm else {
                throw RaftStoreError.corrupt(
                    "\(path): entry \(index) has term \(term), lower than the term \(previousTerm) before it")
            }
            let type = try checked.int64(2, "type")
            let data = try checked.bytes(3, "data")
            guard let tag = UInt8(exactly: type) else {
                throw RaftStoreError.corrupt("\(path): entry \(index): unknown entry type \(type)")
            }
            let kind: Entry.Kind
            do {
                kind = try Entry.Kind(type: tag, data: data)
            } catch {
                throw RaftStoreError.corrupt("\(path): entry \(index): \(error)")
            }
            entries.append(Entry(term: term, index: index, kind: kind))
            previousTerm = term
        }
        return entries
    }

    private static func describeMisplaced(
        _ index: Index, _ expected: Index, _ entries: [Entry], _ snapshot: SnapshotMetadata?
    ) -> String {
        if !entries.isEmpty {
            return "the log has a gap: entry \(expected) is missing (the next stored entry is \(index))"
        }
        if let snapshot {
            return "the first entry has index \(index), expected \(expected) right after the snapshot index "
                + "\(snapshot.index)"
        }
        return "the first entry has index \(index), expected 1 (there is no snapshot)"
    }
}
