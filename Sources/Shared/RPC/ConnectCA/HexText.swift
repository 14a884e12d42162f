/// Hex renderings of serials, key identifiers and fingerprints, in the forms Consul's CA API shows them.
enum HexText {
    /// Lowercase bytes joined by colons, e.g. `0a:1b:2c`.
    static func colonSeparated(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map(byte).joined(separator: ":")
    }

    /// Lowercase bytes with no separator, e.g. `0a1b2c`.
    static func plain(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map(byte).joined()
    }

    /// A DER INTEGER's content bytes without the leading zero bytes that only carry the sign.
    static func serial(_ bytes: some Collection<UInt8>) -> String {
        let trimmed = bytes.drop { $0 == 0 }
        return trimmed.isEmpty ? "00" : colonSeparated(trimmed)
    }

    private static func byte(_ value: UInt8) -> String {
        let digits = String(value, radix: 16)
        return value < 16 ? "0" + digits : digits
    }
}
