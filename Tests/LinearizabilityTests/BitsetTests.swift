import Testing

@testable import Linearizability

@Suite("Bitset")
struct BitsetTests {
    @Test("insert, remove and count work across word boundaries")
    func membership() {
        var set = Bitset(capacity: 130)
        for member in [0, 63, 64, 129] { set.insert(member) }
        set.insert(64)
        #expect(set.count == 4)
        #expect(set.contains(63) && set.contains(129) && !set.contains(1))
        set.remove(63)
        set.remove(63)
        #expect(set.count == 3 && !set.contains(63))
    }

    @Test("equal sets hash equal and subsets are recognised")
    func equalityAndSubsets() {
        var small = Bitset(capacity: 100)
        var large = Bitset(capacity: 100)
        small.insert(70)
        large.insert(70)
        #expect(small == large && small.hashValue == large.hashValue)
        large.insert(3)
        #expect(small.isSubset(of: large) && !large.isSubset(of: small))
        #expect(Bitset(capacity: 0).isSubset(of: Bitset(capacity: 0)))
    }
}
