/// The sequential specification of Caravan's replicated key/value store, partitioned by key.
///
/// Each key starts absent. A put or cas answered `ok(version:)` must carry a version above every version the key
/// can already have had, which rejects duplicate and decreasing versions; a get must return exactly the current
/// value and version. Writes with an `unknown` outcome may take effect (with a version not yet known) or not.
public struct KeyValueModel<Key: Hashable, Value: Hashable>: LinearizabilityModel, Sendable {
    public typealias State = KeyState<Value>
    public typealias Input = KeyValueInput<Key, Value>
    public typealias Output = KeyValueOutput<Value>

    public init() {}

    public func initial() -> State {
        .absent(nextVersionAtLeast: 1)
    }

    public func step(_ state: State, _ input: Input, _ output: Output) -> [State] {
        switch input {
        case .put(_, let value):
            return put(state, value: value, output: output)
        case .cas(_, let expected, let value):
            return compareAndSwap(state, expected: expected, value: value, output: output)
        case .get:
            return read(state, output: output)
        case .delete:
            return delete(state, output: output)
        }
    }

    public func partition(_ history: [RecordedOperation<Input, Output>]) -> [HistoryPartition<Input, Output>] {
        var indexOfKey: [Key: Int] = [:]
        var partitions: [HistoryPartition<Input, Output>] = []
        for op in history {
            let key = op.input.key
            if let index = indexOfKey[key] {
                partitions[index].operations.append(op)
            } else {
                indexOfKey[key] = partitions.count
                partitions.append(HistoryPartition(label: "key \(String(reflecting: key))", operations: [op]))
            }
        }
        return partitions
    }

    public func describe(_ input: Input, _ output: Output) -> String {
        let request =
            switch input {
            case .put(let key, let value): "put(\(String(reflecting: key)), \(String(reflecting: value)))"
            case .get(let key): "get(\(String(reflecting: key)))"
            case .cas(let key, let expected, let value):
                "cas(\(String(reflecting: key)), expected: \(expected), \(String(reflecting: value)))"
            case .delete(let key): "delete(\(String(reflecting: key)))"
            }
        let answer =
            switch output {
            case .ok(let version): "ok(version \(version))"
            case .deleted: "deleted"
            case .found(let value, let version): "found(\(String(reflecting: value)), version \(version))"
            case .notFound: "notFound"
            case .failed: "failed"
            case .conflict: "conflict"
            case .unknown: "unknown"
            }
        return "\(request) -> \(answer)"
    }

    public func describe(_ state: State) -> String {
        switch state {
        case .absent(let next): "absent (next version >= \(next))"
        case .present(let value, let version): "\(String(reflecting: value)) at version \(version)"
        case .unversioned(let value, let least):
            "\(String(reflecting: value)) at an unobserved version >= \(least)"
        }
    }

    private func put(_ state: State, value: Value, output: Output) -> [State] {
        switch output {
        case .ok(let version):
            return version >= state.nextVersionAtLeast ? [.present(value, version: version)] : []
        case .failed:
            return [state]
        case .unknown:
            return [.unversioned(value, versionAtLeast: state.nextVersionAtLeast), state]
        default:
            return []
        }
    }

    private func compareAndSwap(_ state: State, expected: UInt64, value: Value, output: Output) -> [State] {
        let matched = state.matches(expectedVersion: expected)
        // When the current version is unobserved, a cas that takes effect reveals it was `expected`.
        let floor = matched == nil ? max(expected + 1, state.nextVersionAtLeast) : state.nextVersionAtLeast
        switch output {
        case .ok(let version):
            return matched != false && version >= floor ? [.present(value, version: version)] : []
        case .conflict:
            // A conflict reveals only that the version differs, which the state cannot record; keep it.
            return matched == true ? [] : [state]
        case .failed:
            return [state]
        case .unknown:
            return matched == false ? [state] : [.unversioned(value, versionAtLeast: floor), state]
        default:
            return []
        }
    }

    private func read(_ state: State, output: Output) -> [State] {
        switch output {
        case .unknown:
            return [state]
        case .notFound:
            if case .absent = state { return [state] }
            return []
        case .found(let value, let seen):
            switch state {
            case .present(let current, let version):
                return current == value && version == seen ? [state] : []
            case .unversioned(let current, let least):
                return current == value && seen >= least ? [.present(value, version: seen)] : []
            case .absent:
                return []
            }
        default:
            return []
        }
    }

    private func delete(_ state: State, output: Output) -> [State] {
        switch output {
        case .deleted:
            return [.absent(nextVersionAtLeast: state.nextVersionAtLeast)]
        case .failed:
            return [state]
        case .unknown:
            return [.absent(nextVersionAtLeast: state.nextVersionAtLeast), state]
        default:
            return []
        }
    }
}
