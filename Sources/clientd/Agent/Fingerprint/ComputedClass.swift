import CaravanProto

/// The node's computed class: a hash of what feasibility checks look at, so the scheduler checks nodes with equal
/// classes once. Unique attributes and meta (`unique.*`) are left out; the hash is FNV-1a over a sorted, length-
/// prefixed encoding, so it is the same on every run and every machine.
enum ComputedClass {
    static func of(_ node: Caravan_V1_Node) -> String {
        var hasher = FNV1a()
        hasher.field("datacenter", node.datacenter)
        hasher.field("class", node.nodeClass)
        hasher.field("pool", node.nodePool.isEmpty ? "default" : node.nodePool)
        for (key, value) in node.attributes.sorted(by: { $0.key < $1.key }) where !key.hasPrefix("unique.") {
            hasher.field("attr." + key, value)
        }
        for (key, value) in node.meta.sorted(by: { $0.key < $1.key }) where !key.hasPrefix("unique.") {
            hasher.field("meta." + key, value)
        }
        for (name, driver) in node.drivers.sorted(by: { $0.key < $1.key }) {
            hasher.field("driver." + name, "\(driver.detected),\(driver.healthy)")
            for (key, value) in driver.attributes.sorted(by: { $0.key < $1.key }) {
                hasher.field("driver." + name + "." + key, value)
            }
        }
        return "v1:\(hasher.value)"
    }
}

/// 64-bit FNV-1a: tiny, dependency-free and stable across processes (unlike Swift's seeded `Hasher`).
private struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func field(_ key: String, _ fieldValue: String) {
        add(key)
        add(fieldValue)
    }

    private mutating func add(_ text: String) {
        let bytes = Array(text.utf8)
        var length = UInt64(bytes.count)
        for _ in 0..<8 {
            mix(UInt8(truncatingIfNeeded: length))
            length >>= 8
        }
        for byte in bytes { mix(byte) }
    }

    private mutating func mix(_ byte: UInt8) {
        value ^= UInt64(byte)
        value = value &* 0x0000_0100_0000_01b3
    }
}
