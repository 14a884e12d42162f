import CaravanRPC
import GRPCCore

/// The stable text form of a gRPC status code ("FAILED_PRECONDITION"), as stored in `StateCommandError.code`.
///
/// Results of applied commands are persisted and compared across replicas and versions, so they carry the
/// canonical gRPC names rather than a library's numbering or its `description`.
public enum StatusCodeName {
    static let table: [(RPCError.Code, String)] = [
        (.cancelled, "CANCELLED"),
        (.unknown, "UNKNOWN"),
        (.invalidArgument, "INVALID_ARGUMENT"),
        (.deadlineExceeded, "DEADLINE_EXCEEDED"),
        (.notFound, "NOT_FOUND"),
        (.alreadyExists, "ALREADY_EXISTS"),
        (.permissionDenied, "PERMISSION_DENIED"),
        (.resourceExhausted, "RESOURCE_EXHAUSTED"),
        (.failedPrecondition, "FAILED_PRECONDITION"),
        (.aborted, "ABORTED"),
        (.outOfRange, "OUT_OF_RANGE"),
        (.unimplemented, "UNIMPLEMENTED"),
        (.internalError, "INTERNAL"),
        (.unavailable, "UNAVAILABLE"),
        (.dataLoss, "DATA_LOSS"),
        (.unauthenticated, "UNAUTHENTICATED"),
    ]

    /// The canonical name of `code`.
    public static func name(of code: RPCError.Code) -> String {
        table.first { $0.0 == code }?.1 ?? "UNKNOWN"
    }

    /// The code named `name`; UNKNOWN for a name this version does not know.
    public static func code(named name: String) -> RPCError.Code {
        table.first { $0.1 == name }?.0 ?? .unknown
    }
}
