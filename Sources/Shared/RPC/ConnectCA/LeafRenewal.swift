import Foundation

/// When a proxy should ask for a new leaf: at a random point 60–90 % through the current one's lifetime.
///
/// Renewing early leaves time to retry if the CA is unreachable, and the random spread keeps every proxy of a
/// rotation (whose leaves were all signed at once) from asking in the same second — as Consul's agents do.
public enum LeafRenewal {
    public static let fractionRange: ClosedRange<Double> = 0.6...0.9

    /// The renewal time at `fraction` of the lifetime; a fraction outside ``fractionRange`` is clamped into it.
    /// A window that is empty or inverted renews at once (`validAfter`).
    public static func renewAt(validAfter: Date, validBefore: Date, fraction: Double) -> Date {
        let lifetime = validBefore.timeIntervalSince(validAfter)
        guard lifetime > 0 else { return validAfter }
        return validAfter.addingTimeInterval(lifetime * clamped(fraction))
    }

    private static func clamped(_ fraction: Double) -> Double {
        guard !fraction.isNaN else { return fractionRange.lowerBound }
        return min(max(fraction, fractionRange.lowerBound), fractionRange.upperBound)
    }

    /// The renewal time at a fraction drawn from ``fractionRange`` with `generator` (seed it in tests).
    public static func renewAt(
        validAfter: Date,
        validBefore: Date,
        using generator: inout some RandomNumberGenerator
    ) -> Date {
        renewAt(
            validAfter: validAfter, validBefore: validBefore,
            fraction: Double.random(in: fractionRange, using: &generator))
    }
}
