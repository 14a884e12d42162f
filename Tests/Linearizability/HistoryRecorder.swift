import Synchronization

/// Records a history from many concurrent client tasks, stamping calls and returns from one logical clock.
///
/// Stamp `invoke` just before sending a request and `complete` just after the answer arrives: the clock then
/// orders two operations exactly when one really finished before the other began.
public final class HistoryRecorder<Input: Sendable, Output: Sendable>: Sendable {
    /// Identifies an invoked operation until it completes.
    public struct Ticket: Hashable, Sendable {
        fileprivate let index: Int
    }

    private struct Entry {
        var clientID: Int
        var input: Input
        var output: Output?
        var invokeTime: UInt64
        var returnTime: UInt64?
    }

    private struct Log {
        var clock: UInt64 = 0
        var entries: [Entry] = []
    }

    private let log = Mutex(Log())

    public init() {}

    /// Stamps the start of an operation.
    public func invoke(client clientID: Int, _ input: Input) -> Ticket {
        log.withLock { log in
            log.clock += 1
            log.entries.append(Entry(clientID: clientID, input: input, invokeTime: log.clock))
            return Ticket(index: log.entries.count - 1)
        }
    }

    /// Stamps the answer to an operation.
    public func complete(_ ticket: Ticket, _ output: Output) {
        log.withLock { log in
            log.clock += 1
            log.entries[ticket.index].output = output
            log.entries[ticket.index].returnTime = log.clock
        }
    }

    /// Records that no answer will come (timeout, lost connection); the operation stays pending forever.
    public func abandon(_ ticket: Ticket, _ unknownOutput: Output) {
        log.withLock { log in
            log.entries[ticket.index].output = unknownOutput
        }
    }

    /// The history so far; operations neither completed nor abandoned are pending with `unknownOutput`.
    public func operations(unresolved unknownOutput: Output) -> [RecordedOperation<Input, Output>] {
        log.withLock { log in
            log.entries.map { entry in
                RecordedOperation(
                    clientID: entry.clientID, input: entry.input, output: entry.output ?? unknownOutput,
                    invokeTime: entry.invokeTime, returnTime: entry.returnTime)
            }
        }
    }
}
