import CaravanProto
import Testing

@testable import ClientFS

@Suite("follow decisions and log start positions")
struct FollowCursorTests {
    @Test("growth reads the new range; no change is idle; shrinking or replacement truncates; missing is deleted")
    func steps() {
        var cursor = FollowCursor(offset: 5, inode: 7)
        #expect(cursor.step(.present(size: 9, inode: 7)) == .read(from: 5, to: 9))
        cursor.offset = 9
        #expect(cursor.step(.present(size: 9, inode: 7)) == .idle)
        #expect(cursor.step(.present(size: 3, inode: 7)) == .truncated)
        #expect(cursor.offset == 0)
        #expect(cursor.step(.present(size: 3, inode: 7)) == .read(from: 0, to: 3))
        cursor.offset = 3
        #expect(cursor.step(.present(size: 50, inode: 8)) == .truncated, "a new file under the same name")
        #expect(cursor.offset == 0 && cursor.inode == 8)
        #expect(cursor.step(.missing) == .deleted)
    }

    @Test(
        "log start positions across files of sizes 4, 4, 2 (indices 3, 4, 5)",
        arguments: [
            (Caravan_V1_StreamOrigin.end, Int64(0), 5, Int64(2)),
            (.end, 2, 5, 0),
            (.end, 4, 4, 2),
            (.end, 6, 4, 0),
            (.end, 7, 3, 3),
            (.end, 100, 3, 0),
            (.start, 0, 3, 0),
            (.start, 5, 4, 1),
            (.unspecified, 8, 5, 0),
            (.start, 100, 5, 2),
        ])
    func startPositions(origin: Caravan_V1_StreamOrigin, offset: Int64, index: Int, within: Int64) throws {
        let sizes: [(index: Int, size: Int64)] = [(3, 4), (4, 4), (5, 2)]
        let start = try #require(LogFiles.startPosition(sizes: sizes, origin: origin, offset: offset))
        #expect(start.index == index && start.offset == within)
    }

    @Test("no files, no start position")
    func empty() {
        #expect(LogFiles.startPosition(sizes: [], origin: .end, offset: 0) == nil)
    }
}
