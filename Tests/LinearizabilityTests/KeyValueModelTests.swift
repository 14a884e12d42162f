import Linearizability
import Testing

@Suite("Key/value model")
struct KeyValueModelTests {
    @Test("a sequential history that follows the store's rules is linearizable")
    func sequentialValid() {
        let history = [
            op(1, 0, 1, .put("x", "a"), .ok(version: 5)),
            op(1, 2, 3, .get("x"), .found("a", version: 5)),
            op(2, 4, 5, .put("x", "b"), .ok(version: 9)),
            op(1, 6, 7, .get("x"), .found("b", version: 9)),
            op(2, 8, 9, .delete("x"), .deleted),
            op(1, 10, 11, .get("x"), .notFound),
            op(2, 12, 13, .put("x", "c"), .ok(version: 14)),
            op(1, 14, 15, .get("x"), .found("c", version: 14)),
        ]
        #expect(checkKV(history) == .linearizable)
    }

    @Test("a sequential read with the wrong value is rejected, naming the key and the read")
    func sequentialInvalid() throws {
        let history = [
            op(1, 0, 1, .put("x", "a"), .ok(version: 5)),
            op(1, 2, 3, .put("x", "b"), .ok(version: 6)),
            op(2, 4, 5, .get("x"), .found("a", version: 6)),
        ]
        let failure = try #require(checkKV(history).failure)
        #expect(failure.partition == #"key "x""#)
        #expect(failure.blocked.contains(#"get("x") -> found("a", version 6)"#))
        #expect(failure.longestPrefix == 2)
        #expect(failure.state == #""b" at version 6"#)
    }

    @Test("overlapping puts are ordered by the versions they returned and the read that follows")
    func concurrentOneOrder() {
        let writes = [
            op(1, 0, 10, .put("x", "a"), .ok(version: 7)),
            op(2, 1, 9, .put("x", "b"), .ok(version: 4)),
        ]
        #expect(checkKV(writes + [op(3, 11, 12, .get("x"), .found("a", version: 7))]) == .linearizable)
        #expect(checkKV(writes + [op(3, 11, 12, .get("x"), .found("b", version: 4))]).failure != nil)
    }

    @Test("reads overlapping two writes may see either, but not out of version order")
    func concurrentReads() {
        let writes = [
            op(1, 0, 10, .put("x", "a"), .ok(version: 3)),
            op(2, 0, 10, .put("x", "b"), .ok(version: 5)),
        ]
        let early = op(3, 1, 2, .get("x"), .found("a", version: 3))
        let late = op(3, 3, 4, .get("x"), .found("b", version: 5))
        #expect(checkKV(writes + [early, late]) == .linearizable)
        let backwards = [
            op(3, 1, 2, .get("x"), .found("b", version: 5)),
            op(3, 3, 4, .get("x"), .found("a", version: 3)),
        ]
        #expect(checkKV(writes + backwards).failure != nil)
    }

    @Test("a read after a completed write that returns the older value is rejected")
    func staleRead() throws {
        let history = [
            op(1, 0, 1, .put("x", "a"), .ok(version: 3)),
            op(1, 2, 3, .put("x", "b"), .ok(version: 5)),
            op(2, 4, 5, .get("x"), .found("a", version: 3)),
        ]
        let failure = try #require(checkKV(history).failure)
        #expect(failure.lastLinearized.last?.contains(#"put("x", "b")"#) == true)
    }

    @Test("an acknowledged write that later reads do not see is rejected")
    func lostAcknowledgedWrite() {
        let history = [
            op(1, 0, 1, .put("x", "a"), .ok(version: 3)),
            op(2, 2, 3, .get("x"), .notFound),
        ]
        #expect(checkKV(history).failure != nil)
    }

    @Test("two writes acknowledged with the same version are rejected")
    func duplicateVersion() {
        let sequential = [
            op(1, 0, 1, .put("x", "a"), .ok(version: 5)),
            op(2, 2, 3, .put("x", "b"), .ok(version: 5)),
        ]
        #expect(checkKV(sequential).failure != nil)
        let concurrent = [
            op(1, 0, 3, .put("x", "a"), .ok(version: 5)),
            op(2, 0, 3, .put("x", "b"), .ok(version: 5)),
        ]
        #expect(checkKV(concurrent).failure != nil)
    }

    @Test("a later write with a smaller version is rejected")
    func decreasingVersion() {
        let history = [
            op(1, 0, 1, .put("x", "a"), .ok(version: 7)),
            op(2, 2, 3, .put("x", "b"), .ok(version: 4)),
        ]
        #expect(checkKV(history).failure != nil)
    }

    @Test("versions are checked per key, so non-consecutive global indexes are fine")
    func independentKeys() {
        let history = [
            op(1, 0, 1, .put("x", "a"), .ok(version: 3)),
            op(2, 0, 1, .put("y", "b"), .ok(version: 4)),
            op(1, 2, 3, .put("x", "c"), .ok(version: 8)),
            op(2, 2, 3, .get("y"), .found("b", version: 4)),
            op(3, 4, 5, .get("x"), .found("c", version: 8)),
        ]
        #expect(checkKV(history) == .linearizable)
    }

    @Test("cas succeeds on the expected version and conflicts otherwise")
    func casValid() {
        let history = [
            op(1, 0, 1, .cas("x", expectedVersion: 0, "a"), .ok(version: 3)),
            op(1, 2, 3, .cas("x", expectedVersion: 0, "z"), .conflict),
            op(2, 4, 5, .cas("x", expectedVersion: 3, "b"), .ok(version: 6)),
            op(3, 6, 7, .cas("x", expectedVersion: 3, "c"), .conflict),
            op(3, 8, 9, .get("x"), .found("b", version: 6)),
        ]
        #expect(checkKV(history) == .linearizable)
        let racing = [
            op(1, 0, 1, .put("x", "a"), .ok(version: 3)),
            op(2, 2, 5, .cas("x", expectedVersion: 3, "b"), .ok(version: 6)),
            op(3, 2, 5, .cas("x", expectedVersion: 3, "c"), .conflict),
        ]
        #expect(checkKV(racing) == .linearizable)
    }

    @Test("cas results that contradict the version are rejected")
    func casInvalid() {
        let base = op(1, 0, 1, .put("x", "a"), .ok(version: 3))
        #expect(checkKV([base, op(2, 2, 3, .cas("x", expectedVersion: 3, "b"), .conflict)]).failure != nil)
        #expect(checkKV([base, op(2, 2, 3, .cas("x", expectedVersion: 2, "b"), .ok(version: 6))]).failure != nil)
        #expect(checkKV([base, op(2, 2, 3, .cas("x", expectedVersion: 0, "b"), .ok(version: 6))]).failure != nil)
        let bothWin = [
            base,
            op(2, 2, 5, .cas("x", expectedVersion: 3, "b"), .ok(version: 6)),
            op(3, 2, 5, .cas("x", expectedVersion: 3, "c"), .ok(version: 7)),
        ]
        #expect(checkKV(bothWin).failure != nil)
    }

    @Test("a put with an unknown outcome may have taken effect, binding its version at the first read")
    func unknownPutTookEffect() {
        let history = [
            op(1, 0, 1, .put("x", "a"), .ok(version: 3)),
            op(2, 2, nil, .put("x", "b"), .unknown),
            op(3, 4, 5, .get("x"), .found("a", version: 3)),
            op(3, 6, 7, .get("x"), .found("b", version: 8)),
            op(3, 8, 9, .get("x"), .found("b", version: 8)),
            op(1, 10, 11, .cas("x", expectedVersion: 8, "c"), .ok(version: 12)),
        ]
        #expect(checkKV(history) == .linearizable)
    }

    @Test("a put with an unknown outcome may not have taken effect")
    func unknownPutLost() {
        let history = [
            op(2, 0, nil, .put("x", "b"), .unknown),
            op(3, 4, 5, .get("x"), .notFound),
            op(1, 6, 7, .put("x", "a"), .ok(version: 3)),
            op(3, 8, 9, .get("x"), .found("a", version: 3)),
        ]
        #expect(checkKV(history) == .linearizable)
    }

    @Test("an unknown outcome recorded with a return time may still have had no effect")
    func unknownWithReturnTime() {
        let history = [
            op(2, 0, 1, .put("x", "b"), .unknown),
            op(3, 4, 5, .get("x"), .notFound),
        ]
        #expect(checkKV(history) == .linearizable)
    }

    @Test("an unknown put cannot explain a value that appears then vanishes, or a version that changes")
    func unknownPutBounds() {
        let vanishes = [
            op(2, 0, nil, .put("x", "b"), .unknown),
            op(3, 4, 5, .get("x"), .found("b", version: 9)),
            op(3, 6, 7, .get("x"), .notFound),
        ]
        #expect(checkKV(vanishes).failure != nil)
        let versionChanges = [
            op(2, 0, nil, .put("x", "b"), .unknown),
            op(3, 4, 5, .get("x"), .found("b", version: 9)),
            op(3, 6, 7, .get("x"), .found("b", version: 10)),
        ]
        #expect(checkKV(versionChanges).failure != nil)
        let olderThanPrevious = [
            op(1, 0, 1, .put("x", "a"), .ok(version: 5)),
            op(2, 2, nil, .put("x", "b"), .unknown),
            op(3, 4, 5, .get("x"), .found("b", version: 4)),
        ]
        #expect(checkKV(olderThanPrevious).failure != nil)
    }

    @Test("a cas with an unknown outcome can match a version nobody observed yet")
    func unknownCasOnUnobservedVersion() {
        let history = [
            op(1, 0, nil, .put("x", "a"), .unknown),
            op(2, 1, nil, .cas("x", expectedVersion: 4, "b"), .unknown),
            op(3, 2, 3, .get("x"), .found("b", version: 6)),
        ]
        #expect(checkKV(history) == .linearizable)
    }

    @Test("a definitely failed put has no effect")
    func failedPut() {
        let history = [
            op(1, 0, 1, .put("x", "a"), .failed),
            op(2, 2, 3, .get("x"), .notFound),
        ]
        #expect(checkKV(history) == .linearizable)
        let seen = [
            op(1, 0, 1, .put("x", "a"), .failed),
            op(2, 2, 3, .get("x"), .found("a", version: 2)),
        ]
        #expect(checkKV(seen).failure != nil)
    }

    @Test("a read of a value nobody wrote is rejected")
    func phantomRead() throws {
        let history = [
            op(1, 0, 1, .put("x", "a"), .ok(version: 3)),
            op(2, 0, 4, .put("x", "b"), .ok(version: 5)),
            op(3, 2, 3, .get("x"), .found("ghost", version: 4)),
        ]
        let failure = try #require(checkKV(history).failure)
        #expect(failure.blocked.contains("ghost"))
    }

    @Test("a write after a delete needs a version above the deleted one")
    func writeAfterDelete() {
        let history = [
            op(1, 0, 1, .put("x", "a"), .ok(version: 3)),
            op(1, 2, 3, .delete("x"), .deleted),
            op(1, 4, 5, .cas("x", expectedVersion: 0, "b"), .ok(version: 3)),
        ]
        #expect(checkKV(history).failure != nil)
    }

    @Test("a read answered for the wrong kind of operation is rejected")
    func mismatchedOutput() {
        #expect(checkKV([op(1, 0, 1, .get("x"), .ok(version: 1))]).failure != nil)
    }
}
