/// A string-keyed map split into fixed shards, each a copy-on-write dictionary.
///
/// Schedulers and readers hold copies of the tables while the state machine goes on applying entries. With one
/// big dictionary, the first write after a copy would duplicate the whole table (100,000 allocations); here it
/// duplicates the outer array of shard references and only the shards it touches.
public struct ShardedTable<Value>: Sendable where Value: Sendable {
    static var shardCount: Int { 256 }
    private var shards: [[String: Value]]
    public private(set) var count = 0

    public init() {
        shards = Array(repeating: [:], count: Self.shardCount)
    }

    /// A stable shard for `key` (FNV-1a), so every replica lays out its tables alike.
    private static func shard(of key: String) -> Int {
        var hash: UInt32 = 2_166_136_261
        for byte in key.utf8 {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        return Int(hash % UInt32(shardCount))
    }

    public subscript(key: String) -> Value? {
        get { shards[Self.shard(of: key)][key] }
        set {
            let shard = Self.shard(of: key)
            if let newValue {
                if shards[shard].updateValue(newValue, forKey: key) == nil { count += 1 }
            } else if shards[shard].removeValue(forKey: key) != nil {
                count -= 1
            }
        }
    }

    /// Every value, in no particular order.
    public var values: [Value] {
        var all: [Value] = []
        all.reserveCapacity(count)
        for shard in shards { all.append(contentsOf: shard.values) }
        return all
    }

    /// Every key, sorted (for deterministic snapshots and listings).
    public var sortedKeys: [String] {
        var keys: [String] = []
        keys.reserveCapacity(count)
        for shard in shards { keys.append(contentsOf: shard.keys) }
        return keys.sorted()
    }

    /// Changes the value at `key` in place (nil when absent; setting nil removes it).
    public mutating func update(_ key: String, _ body: (inout Value?) -> Void) {
        let shard = Self.shard(of: key)
        var value = shards[shard].removeValue(forKey: key)
        let existed = value != nil
        body(&value)
        if let value {
            shards[shard][key] = value
            if !existed { count += 1 }
        } else if existed {
            count -= 1
        }
    }
}

extension ShardedTable where Value == Set<String> {
    /// Adds `member` to the set at `key` (an index entry such as "allocations of this node").
    public mutating func insert(_ member: String, into key: String) {
        update(key) { members in
            var set = members ?? []
            set.insert(member)
            members = set
        }
    }
}
