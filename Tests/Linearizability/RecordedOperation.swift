/// One client operation in a recorded history: what was asked, what came back, and when.
///
/// Times come from one monotonic clock shared by every client (nanoseconds or a logical counter). An operation
/// whose outcome the client never learned (timeout, lost connection) has `returnTime == nil`, read as +infinity:
/// it may have taken effect at any point after its invocation, or not at all.
public struct RecordedOperation<Input, Output> {
    /// Which client issued the operation; only used in explanations.
    public var clientID: Int
    public var input: Input
    public var output: Output
    public var invokeTime: UInt64
    /// When the answer arrived; `nil` when none did.
    public var returnTime: UInt64?

    public init(clientID: Int, input: Input, output: Output, invokeTime: UInt64, returnTime: UInt64?) {
        self.clientID = clientID
        self.input = input
        self.output = output
        self.invokeTime = invokeTime
        self.returnTime = returnTime
    }

    /// True when the operation never returned, so it may be linearized late or dropped.
    public var isPending: Bool { returnTime == nil }
}

extension RecordedOperation: Sendable where Input: Sendable, Output: Sendable {}
extension RecordedOperation: Equatable where Input: Equatable, Output: Equatable {}
