/// A fixed-capacity set of small integers: which operations a search configuration has already linearized.
struct Bitset: Hashable {
    private(set) var words: [UInt64]
    private(set) var count = 0

    init(capacity: Int) {
        words = Array(repeating: 0, count: (capacity + 63) / 64)
    }

    func contains(_ member: Int) -> Bool {
        words[member >> 6] & (1 << UInt64(member & 63)) != 0
    }

    mutating func insert(_ member: Int) {
        let mask: UInt64 = 1 << UInt64(member & 63)
        if words[member >> 6] & mask == 0 {
            words[member >> 6] |= mask
            count += 1
        }
    }

    mutating func remove(_ member: Int) {
        let mask: UInt64 = 1 << UInt64(member & 63)
        if words[member >> 6] & mask != 0 {
            words[member >> 6] &= ~mask
            count -= 1
        }
    }

    /// True when every member of `self` is in `other`; both must have the same capacity.
    func isSubset(of other: Bitset) -> Bool {
        guard count <= other.count else { return false }
        for index in words.indices where words[index] & ~other.words[index] != 0 {
            return false
        }
        return true
    }

    static func == (lhs: Bitset, rhs: Bitset) -> Bool {
        lhs.count == rhs.count && lhs.words == rhs.words
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(words)
    }
}
