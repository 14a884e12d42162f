import Linearizability
import Testing

/// A single integer register: the smallest model, for exercising the search itself.
private struct Register: LinearizabilityModel {
    enum Input {
        case write(Int)
        case read
    }

    func initial() -> Int { 0 }

    func step(_ state: Int, _ input: Input, _ output: Int) -> [Int] {
        switch input {
        case .write(let value): [value]
        case .read: output == state ? [state] : []
        }
    }
}

private func call(_ client: Int, _ start: UInt64, _ end: UInt64?, _ input: Register.Input, _ output: Int = 0)
    -> RecordedOperation<Register.Input, Int>
{
    RecordedOperation(clientID: client, input: input, output: output, invokeTime: start, returnTime: end)
}

@Suite("Linearizability checker")
struct LinearizabilityCheckerTests {
    @Test("an empty history is linearizable")
    func empty() {
        #expect(LinearizabilityChecker.check([], model: Register()) == .linearizable)
    }

    @Test("a sequential history is judged by the model alone")
    func sequential() {
        let valid = [
            call(1, 0, 1, .write(1)), call(1, 2, 3, .read, 1), call(2, 4, 5, .write(2)), call(1, 6, 7, .read, 2),
        ]
        #expect(LinearizabilityChecker.check(valid, model: Register()) == .linearizable)
        let invalid = [call(1, 0, 1, .write(1)), call(1, 2, 3, .read, 2)]
        #expect(!LinearizabilityChecker.check(invalid, model: Register()).isLinearizable)
    }

    @Test("concurrent writes followed by a read are valid only in the order the read reveals")
    func concurrentOneOrder() {
        let history = [
            call(1, 0, 10, .write(1)),
            call(2, 0, 10, .write(2)),
            call(3, 11, 12, .read, 1),
            call(3, 13, 14, .read, 1),
        ]
        #expect(LinearizabilityChecker.check(history, model: Register()) == .linearizable)
        let flipFlop = history + [call(3, 15, 16, .read, 2)]
        #expect(!LinearizabilityChecker.check(flipFlop, model: Register()).isLinearizable)
    }

    @Test("operations stamped with the same time are concurrent")
    func equalTimes() {
        let history = [call(1, 0, 5, .write(1)), call(2, 5, 6, .read, 0)]
        #expect(LinearizabilityChecker.check(history, model: Register()) == .linearizable)
    }

    @Test("a pending write may land late or never")
    func pendingWrite() {
        let lands = [call(1, 0, nil, .write(7)), call(2, 1, 2, .read, 0), call(2, 3, 4, .read, 7)]
        #expect(LinearizabilityChecker.check(lands, model: Register()) == .linearizable)
        let never = [call(1, 0, nil, .write(7)), call(2, 1, 2, .read, 0)]
        #expect(LinearizabilityChecker.check(never, model: Register()) == .linearizable)
        let beforeInvoke = [call(2, 0, 1, .read, 7), call(1, 2, nil, .write(7))]
        #expect(!LinearizabilityChecker.check(beforeInvoke, model: Register()).isLinearizable)
    }

    @Test("pending operations that commute can all take effect")
    func commutingPending() {
        let history = (0..<3).map {
            RecordedOperation<Counter.Input, Int>(
                clientID: $0, input: .increment, output: 0, invokeTime: UInt64($0), returnTime: nil)
        }
        let read = { (value: Int) in
            RecordedOperation<Counter.Input, Int>(
                clientID: 9, input: .read, output: value, invokeTime: 5, returnTime: 6)
        }
        for value in 0...3 {
            #expect(LinearizabilityChecker.check(history + [read(value)], model: Counter()) == .linearizable)
        }
        #expect(!LinearizabilityChecker.check(history + [read(4)], model: Counter()).isLinearizable)
    }

    @Test("running out of budget answers unknown, not a verdict")
    func budget() {
        let history = (0..<50).map { call($0, 0, 100, .write($0)) } + [call(99, 101, 102, .read, -1)]
        let steps = LinearizabilityChecker.check(history, model: Register(), budget: CheckBudget(maxSteps: 10))
        guard case .unknown(let reason) = steps else {
            Issue.record("expected unknown, got \(steps)")
            return
        }
        #expect(reason.contains("step budget"))
        let time = LinearizabilityChecker.check(history, model: Register(), budget: CheckBudget(timeout: .zero))
        guard case .unknown = time else {
            Issue.record("expected unknown, got \(time)")
            return
        }
    }

    @Test("an operation that returns before it was invoked is reported")
    func malformed() {
        let result = LinearizabilityChecker.check([call(1, 5, 4, .write(1))], model: Register())
        guard case .notLinearizable(let failure) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(failure.blocked.contains("returns before it was invoked"))
    }
}
