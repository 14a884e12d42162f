import Linearizability

/// Generates a history by running clients against a correct, atomic key/value store with random overlap.
///
/// Each client invokes an operation, later applies it atomically (its linearization point), later still sees
/// the answer; the scheduler interleaves clients at random. A few writes lose their answer and take effect
/// later or never. Versions are a global Raft-like index that skips numbers, so they are not consecutive.
struct AtomicStoreSimulation {
    var clients = 5
    var operationsPerClient = 2000
    var keys = 10
    /// Percentage of operations whose answer is lost.
    var unknownPercent = 1

    private enum Phase {
        case idle
        case invoked(Int)
        case applied(Int)
    }

    func run(seed: UInt64) -> [KVOperation] {
        var random = SeededRandom(seed: seed)
        var store: [String: (value: String, version: UInt64)] = [:]
        var index: UInt64 = 0
        var clock: UInt64 = 0
        var history: [KVOperation] = []
        var phases = Array(repeating: Phase.idle, count: clients)
        var issued = Array(repeating: 0, count: clients)
        var lost: [Int] = []

        func apply(_ input: KVInput) -> KVOutput {
            switch input {
            case .put(let key, let value):
                index += 1 + UInt64(random.below(3))
                store[key] = (value, index)
                return .ok(version: index)
            case .get(let key):
                return store[key].map { .found($0.value, version: $0.version) } ?? .notFound
            case .cas(let key, let expected, let value):
                guard (store[key]?.version ?? 0) == expected else { return .conflict }
                index += 1 + UInt64(random.below(3))
                store[key] = (value, index)
                return .ok(version: index)
            case .delete(let key):
                index += 1 + UInt64(random.below(3))
                store[key] = nil
                return .deleted
            }
        }

        func makeInput(client: Int) -> KVInput {
            let key = "k\(random.below(keys))"
            let value = "c\(client)-\(issued[client])"
            let roll = random.below(100)
            switch roll {
            case 0..<45:
                return .get(key)
            case 45..<75:
                return .put(key, value)
            case 75..<93:
                let current = store[key]?.version ?? 0
                let expected = random.below(10) < 7 ? current : UInt64(random.below(Int(index) + 1))
                return .cas(key, expectedVersion: expected, value)
            default:
                return .delete(key)
            }
        }

        while true {
            let active = (0..<clients).filter { client in
                if case .idle = phases[client] { return issued[client] < operationsPerClient }
                return true
            }
            guard !active.isEmpty else { break }
            if !lost.isEmpty && random.below(20) == 0 {
                let pick = lost.remove(at: random.below(lost.count))
                if random.below(2) == 0 { _ = apply(history[pick].input) }
            }
            let client = active[random.below(active.count)]
            switch phases[client] {
            case .idle:
                clock += 1
                let input = makeInput(client: client)
                history.append(op(client, clock, nil, input, .unknown))
                issued[client] += 1
                phases[client] = .invoked(history.count - 1)
            case .invoked(let current):
                if random.below(100) < unknownPercent {
                    if case .get = history[current].input {} else { lost.append(current) }
                    phases[client] = .idle
                } else if case .put = history[current].input, random.below(100) < 2 {
                    history[current].output = .failed
                    phases[client] = .applied(current)
                } else {
                    history[current].output = apply(history[current].input)
                    phases[client] = .applied(current)
                }
            case .applied(let current):
                clock += 1
                history[current].returnTime = clock
                phases[client] = .idle
            }
        }
        return history
    }
}

/// Replaces one read with a stale one that no order can explain: it returns an older acknowledged write of the
/// key although a newer acknowledged write had completed before the read began. Returns the read's index.
func corruptOneRead(_ history: inout [KVOperation]) -> Int? {
    var acknowledged: [String: [(version: UInt64, value: String, returned: UInt64)]] = [:]
    for operation in history {
        guard case .ok(let version) = operation.output, let returned = operation.returnTime else { continue }
        switch operation.input {
        case .put(let key, let value), .cas(let key, _, let value):
            acknowledged[key, default: []].append((version, value, returned))
        default:
            continue
        }
    }
    for index in history.indices.dropFirst(history.count / 2) {
        guard case .get(let key) = history[index].input, case .found(_, let seen) = history[index].output,
            let writes = acknowledged[key],
            writes.contains(where: { $0.version == seen && $0.returned < history[index].invokeTime }),
            let older = writes.first(where: { $0.version < seen })
        else { continue }
        history[index].output = .found(older.value, version: older.version)
        return index
    }
    return nil
}
