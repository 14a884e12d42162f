import CaravanProto
import CaravanRPC

extension Caravan_V1_StateCommandResult {
    /// A result saying the state machine refused the command with `error`; no state changed.
    public static func refused(_ error: CaravanError) -> Caravan_V1_StateCommandResult {
        var failure = Caravan_V1_StateCommandError()
        failure.code = StatusCodeName.name(of: error.code)
        failure.message = error.message
        var result = Caravan_V1_StateCommandResult()
        result.error = failure
        return result
    }

    /// A result for a command that applied and has nothing to return.
    public static var applied: Caravan_V1_StateCommandResult {
        var result = Caravan_V1_StateCommandResult()
        result.ok = true
        return result
    }

    /// The refusal this result carries, as the error a caller gets; nil when the command applied.
    public var refusal: CaravanError? {
        guard case .error(let failure)? = result else { return nil }
        return CaravanError(StatusCodeName.code(named: failure.code), failure.message)
    }
}
