import Testing

@testable import Raft

/// Builds a log whose entry `i` (1-based) has term `terms[i - 1]`.
func makeLog(_ terms: [Term], committed: Index = 0) -> RaftLog {
    let entries = terms.enumerated().map { Entry(term: $0.element, index: Index($0.offset + 1), kind: .noop) }
    return RaftLog(entries: entries, committed: committed)
}

func entries(from start: Index, terms: [Term]) -> [Entry] {
    terms.enumerated().map { Entry(term: $0.element, index: start + Index($0.offset), kind: .noop) }
}

struct AppendCase: Sendable, CustomTestStringConvertible {
    var name: String
    var log: [Term]
    var committed: Index
    var prevIndex: Index
    var prevTerm: Term
    var new: [Term]
    var expectedMatch: Index?
    var expectedTerms: [Term]
    var testDescription: String { name }
}

@Suite("RaftLog")
struct RaftLogTests {
    @Test("term(at:) is zero at index zero and nil past the end")
    func termAt() {
        let log = makeLog([1, 1, 2])
        #expect(log.term(at: 0) == 0)
        #expect(log.term(at: 3) == 2)
        #expect(log.term(at: 4) == nil)
        #expect(log.lastIndex == 3 && log.lastTerm == 2)
    }

    @Test(
        "appending after a matching entry keeps the matching prefix and replaces only a conflicting suffix",
        arguments: [
            AppendCase(
                name: "empty append on match", log: [1, 1, 2], committed: 0, prevIndex: 3, prevTerm: 2, new: [],
                expectedMatch: 3, expectedTerms: [1, 1, 2]),
            AppendCase(
                name: "extends the log", log: [1, 1], committed: 0, prevIndex: 2, prevTerm: 1, new: [2, 2],
                expectedMatch: 4, expectedTerms: [1, 1, 2, 2]),
            AppendCase(
                name: "duplicate is a no-op and keeps longer log", log: [1, 1, 2, 3], committed: 0, prevIndex: 1,
                prevTerm: 1, new: [1], expectedMatch: 2, expectedTerms: [1, 1, 2, 3]),
            AppendCase(
                name: "conflict truncates suffix", log: [1, 1, 2, 2, 2], committed: 1, prevIndex: 2, prevTerm: 1,
                new: [3, 3], expectedMatch: 4, expectedTerms: [1, 1, 3, 3]),
            AppendCase(
                name: "mismatched prev term is rejected", log: [1, 1, 2], committed: 0, prevIndex: 3, prevTerm: 3,
                new: [3], expectedMatch: nil, expectedTerms: [1, 1, 2]),
            AppendCase(
                name: "prev index past the end is rejected", log: [1], committed: 0, prevIndex: 5, prevTerm: 1,
                new: [1], expectedMatch: nil, expectedTerms: [1]),
            AppendCase(
                name: "never truncates committed entries", log: [1, 1, 2], committed: 3, prevIndex: 1, prevTerm: 1,
                new: [3, 3], expectedMatch: nil, expectedTerms: [1, 1, 2]),
        ])
    func append(_ c: AppendCase) {
        var log = makeLog(c.log, committed: c.committed)
        let match = log.append(
            after: c.prevIndex, prevTerm: c.prevTerm, entries: entries(from: c.prevIndex + 1, terms: c.new))
        #expect(match == c.expectedMatch)
        #expect(log.entries.map(\.term) == c.expectedTerms)
    }

    @Test("truncating a persisted entry moves the stable index back")
    func truncationUnstables() {
        var log = makeLog([1, 1, 2, 2])
        #expect(log.stableIndex == 4)
        _ = log.append(after: 2, prevTerm: 1, entries: entries(from: 3, terms: [3]))
        #expect(log.stableIndex == 2)
        #expect(log.unstableEntries.map(\.term) == [3])
    }

    @Test(
        "the first conflict is the first absent entry or the first with a different term",
        arguments: [
            ([Term](), Index?.none), ([1, 1], nil), ([1, 2], 2), ([1, 1, 2, 4], 4), ([1, 1, 2, 3, 4], 5),
        ] as [([Term], Index?)])
    func firstConflict(_ new: [Term], _ expected: Index?) {
        let log = makeLog([1, 1, 2, 3])
        #expect(log.firstConflict(in: entries(from: 1, terms: new)) == expected)
    }

    @Test(
        "a candidate log is up to date if its last term is higher, or equal with an index at least as high",
        arguments: [
            (Index(3), Term(2), true), (3, 1, false), (2, 2, false), (4, 2, true), (1, 3, true),
        ] as [(Index, Term, Bool)])
    func upToDate(_ index: Index, _ term: Term, _ expected: Bool) {
        #expect(makeLog([1, 1, 2]).isUpToDate(lastIndex: index, lastTerm: term) == expected)
    }

    @Test(
        "the back-off hint is the last index at or below the probe whose term is at most the probed term",
        arguments: [
            (Index(7), Term(5), Index(7)), (7, 4, 6), (7, 3, 3), (7, 1, 2), (7, 0, 0), (99, 5, 7), (2, 9, 2),
        ] as [(Index, Term, Index)])
    func backOffHint(_ index: Index, _ term: Term, _ expected: Index) {
        let log = makeLog([1, 1, 3, 4, 4, 4, 5])
        #expect(log.lastIndex(atOrBelow: index, withTermAtMost: term) == expected)
    }

    @Test(
        "an index commits only when it is newer and its entry has the current term",
        arguments: [
            (Index(3), Term(3), true), (2, 3, false), (3, 2, false), (1, 1, false), (5, 3, false),
        ] as [(Index, Term, Bool)])
    func commitRule(_ index: Index, _ term: Term, _ expected: Bool) {
        var log = makeLog([1, 2, 3], committed: 1)
        #expect(log.maybeCommit(to: index, term: term) == expected)
        #expect(log.committed == (expected ? index : 1))
    }

    @Test(
        "the quorum index is the highest index reached by a majority",
        arguments: [
            ([Index(5)], Index(5)), ([5, 3, 1], 3), ([1, 5, 3], 3), ([5, 5, 1, 1, 1], 1), ([9, 8, 7, 1, 1], 7),
            ([2, 2], 2), ([4, 1], 1),
        ] as [([Index], Index)])
    func quorumIndex(_ matches: [Index], _ expected: Index) {
        #expect(RaftNode.quorumIndex(matches) == expected)
    }

    @Test("commit never moves backward or beyond the last index")
    func commitBounds() {
        var log = makeLog([1, 1, 1], committed: 2)
        log.commit(to: 1)
        #expect(log.committed == 2)
        log.commit(to: 10)
        #expect(log.committed == 3)
    }
}
