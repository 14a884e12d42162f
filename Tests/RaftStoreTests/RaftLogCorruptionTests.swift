import Raft
import Testing

@testable import RaftStore

struct CorruptionCase: Sendable, CustomTestStringConvertible {
    var name: String
    var sql: String
    /// Text the error must contain, after the database path.
    var reason: String
    var testDescription: String { name }
}

@Suite("RaftLogStore corruption")
struct RaftLogCorruptionTests {
    @Test(
        "load rejects a damaged database with a precise reason naming the file",
        arguments: [
            CorruptionCase(
                name: "gap", sql: #"DELETE FROM entries WHERE "index" = 3"#,
                reason: "the log has a gap: entry 3 is missing (the next stored entry is 4)"),
            CorruptionCase(
                name: "commit beyond last index", sql: #"UPDATE hard_state SET "commit" = 99"#,
                reason: "hard state commit 99 is beyond the last index 5"),
            CorruptionCase(
                name: "log does not start at 1", sql: #"DELETE FROM entries WHERE "index" = 1"#,
                reason: "the first entry has index 2, expected 1 (there is no snapshot)"),
            CorruptionCase(
                name: "log does not follow the snapshot",
                sql: #"INSERT INTO snapshot_meta (id, "index", term, membership) VALUES (1, 3, 1, x'01000000')"#,
                reason: "the first entry has index 1, expected 4 right after the snapshot index 3"),
            CorruptionCase(
                name: "unknown entry type", sql: #"UPDATE entries SET type = 9 WHERE "index" = 2"#,
                reason: "entry 2: unknown entry type 9"),
            CorruptionCase(
                name: "entry type out of byte range", sql: #"UPDATE entries SET type = 300 WHERE "index" = 2"#,
                reason: "entry 2: unknown entry type 300"),
            CorruptionCase(
                name: "term is text", sql: #"UPDATE entries SET term = 'x' WHERE "index" = 4"#,
                reason: "entries row 4: column term is not an integer"),
            CorruptionCase(
                name: "term goes down", sql: #"UPDATE entries SET term = 1 WHERE "index" = 5"#,
                reason: "entry 5 has term 1, lower than the term 2 before it"),
            CorruptionCase(
                name: "configuration entry with a damaged membership",
                sql: #"UPDATE entries SET type = 3, data = x'0105' WHERE "index" = 2"#,
                reason: "entry 2: membership: truncated at byte 2"),
            CorruptionCase(
                name: "noop entry with data", sql: #"UPDATE entries SET type = 2, data = x'00' WHERE "index" = 2"#,
                reason: "entry 2: noop entry: 1 unexpected trailing byte at byte 0"),
            CorruptionCase(
                name: "data is text", sql: #"UPDATE entries SET data = 'abc' WHERE "index" = 1"#,
                reason: "entries row 1: column data is not a blob"),
            CorruptionCase(
                name: "snapshot membership undecodable",
                sql: #"INSERT INTO snapshot_meta (id, "index", term, membership) VALUES (1, 0, 0, x'09')"#,
                reason: "snapshot_meta: membership: unsupported encoding version 9"),
            CorruptionCase(
                name: "negative index", sql: #"UPDATE entries SET "index" = -1 WHERE "index" = 1"#,
                reason: "the first entry has index 18446744073709551615, expected 1"),
        ])
    func corruptLoad(corruption: CorruptionCase) throws {
        try withTemporaryDirectory { directory in
            let store = try RaftLogStore(directory: directory)
            let entries = makeEntries(1...3, term: 1) + makeEntries(4...5, term: 2)
            try store.save(snapshot: nil, entries: entries, hardState: HardState(term: 2, vote: 1, commit: 5))
            try store.executeForTesting(corruption.sql)
            let error = #expect(throws: RaftStoreError.self) { try RaftLogStore(directory: directory).load() }
            guard case .corrupt(let message) = error else {
                Issue.record("expected a corrupt error, got \(String(describing: error))")
                return
            }
            #expect(message.hasPrefix(store.path))
            #expect(message.contains(corruption.reason), "\(message)")
        }
    }

    @Test("a stored server id that is not a number is reported, not replaced")
    func corruptServerID() throws {
        try withTemporaryDirectory { directory in
            let store = try RaftLogStore(directory: directory)
            try store.executeForTesting("INSERT INTO meta (key, value) VALUES ('server_id', 'zero')")
            let error = #expect(throws: RaftStoreError.self) { try store.serverID() }
            #expect(error?.description.contains(#"stored server id "zero""#) == true)
        }
    }
}
