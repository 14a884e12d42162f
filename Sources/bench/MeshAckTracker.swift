import Foundation
import Synchronization

/// Which snapshot version each simulated proxy applied last, and a wait for "every proxy is at version ≥ V" that
/// returns when the last one got there, with each proxy's latency from a start instant.
final class MeshAckTracker: Sendable {
    private struct Round {
        var target: UInt64
        var start: ContinuousClock.Instant
        var reached: [Int: Duration] = [:]
        var continuation: CheckedContinuation<[Duration]?, Never>?
    }

    private struct State {
        var versions: [Int: UInt64] = [:]
        var appliedAt: [Int: ContinuousClock.Instant] = [:]
        var round: Round?
    }

    private let state = Mutex(State())
    let proxies: Int

    init(proxies: Int) {
        self.proxies = proxies
    }

    /// Called by proxy `index` as it applies (and then ACKs) a snapshot.
    func applied(_ index: Int, version: UInt64) {
        let now = ContinuousClock.now
        let finished = state.withLock { state -> (CheckedContinuation<[Duration]?, Never>, [Duration])? in
            if version > state.versions[index] ?? 0 {
                state.versions[index] = version
                state.appliedAt[index] = now
            }
            guard var round = state.round, version >= round.target, round.reached[index] == nil else { return nil }
            round.reached[index] = now - round.start
            state.round = round
            guard round.reached.count == proxies, let continuation = round.continuation else { return nil }
            state.round = nil
            return (continuation, Array(round.reached.values))
        }
        if let (continuation, latencies) = finished { continuation.resume(returning: latencies) }
    }

    /// Proxies that applied at least one snapshot.
    var started: Int { state.withLock { $0.versions.count } }

    /// Starts a round measured from `start`; call before the write whose index is not known yet, then `wait`.
    func begin(at start: ContinuousClock.Instant) {
        state.withLock { $0.round = Round(target: .max, start: start) }
    }

    /// Waits until every proxy applied a version ≥ `target`; each proxy's latency from the round's start, or nil
    /// when `timeout` passed first.
    func wait(for target: UInt64, timeout: Duration) async -> [Duration]? {
        let timer = Task {
            try await Task.sleep(for: timeout)
            self.expire()
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> [Duration]?? in
                guard var round = state.round else { return .some(nil) }
                round.target = target
                for (index, version) in state.versions where version >= target && round.reached[index] == nil {
                    // Applied before the write's index was known (the write's answer is slower than the push).
                    round.reached[index] = (state.appliedAt[index] ?? .now) - round.start
                }
                if round.reached.count == proxies {
                    state.round = nil
                    return .some(Array(round.reached.values))
                }
                round.continuation = continuation
                state.round = round
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Ends a round that ran out of time.
    private func expire() {
        let continuation = state.withLock { state -> CheckedContinuation<[Duration]?, Never>? in
            defer { state.round = nil }
            return state.round?.continuation
        }
        continuation?.resume(returning: nil)
    }
}
