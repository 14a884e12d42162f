import CaravanRPC
import Foundation
import Testing

@Suite("Leaf renewal timing")
struct LeafRenewalTests {
    let start = Date(timeIntervalSince1970: 1_000_000)
    let end = Date(timeIntervalSince1970: 1_000_000 + 72 * 3600)

    @Test("the renewal time is the given fraction of the lifetime")
    func fraction() {
        #expect(
            LeafRenewal.renewAt(validAfter: start, validBefore: end, fraction: 0.75)
                == start.addingTimeInterval(54 * 3600))
    }

    @Test("fractions outside 60–90 % are clamped into it")
    func clamped() {
        #expect(
            LeafRenewal.renewAt(validAfter: start, validBefore: end, fraction: 0.1)
                == start.addingTimeInterval(0.6 * 72 * 3600))
        #expect(
            LeafRenewal.renewAt(validAfter: start, validBefore: end, fraction: 1.5)
                == start.addingTimeInterval(0.9 * 72 * 3600))
        #expect(
            LeafRenewal.renewAt(validAfter: start, validBefore: end, fraction: .nan)
                == start.addingTimeInterval(0.6 * 72 * 3600))
    }

    @Test("drawn renewal times fall inside 60–90 % of the lifetime and spread across it")
    func drawn() {
        var generator = SplitMix64(seed: 7)
        let lifetime = end.timeIntervalSince(start)
        var fractions: [Double] = []
        for _ in 0..<500 {
            let at = LeafRenewal.renewAt(validAfter: start, validBefore: end, using: &generator)
            fractions.append(at.timeIntervalSince(start) / lifetime)
        }
        #expect(fractions.allSatisfy { (0.6...0.9).contains($0) })
        #expect((fractions.min() ?? 1) < 0.62 && (fractions.max() ?? 0) > 0.88)
    }

    @Test("an empty or inverted window renews at once")
    func emptyWindow() {
        #expect(LeafRenewal.renewAt(validAfter: end, validBefore: start, fraction: 0.7) == end)
    }
}

/// A small seeded generator so the drawn fractions are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
