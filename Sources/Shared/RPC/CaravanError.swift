import GRPCCore

/// An error a person can act on: a one-line message naming the problem (and the file, where there is one).
///
/// Errors in Caravan's libraries carry a gRPC status code so the RPC edge can map them without guessing.
public struct CaravanError: Error, Sendable, CustomStringConvertible, Equatable {
    public var code: RPCError.Code
    public var message: String

    public init(_ code: RPCError.Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func invalidArgument(_ message: String) -> CaravanError { .init(.invalidArgument, message) }
    public static func notFound(_ message: String) -> CaravanError { .init(.notFound, message) }
    public static func failedPrecondition(_ message: String) -> CaravanError { .init(.failedPrecondition, message) }
    public static func permissionDenied(_ message: String) -> CaravanError { .init(.permissionDenied, message) }
    public static func unavailable(_ message: String) -> CaravanError { .init(.unavailable, message) }

    /// The gRPC status a handler throws for this error.
    public var rpcError: RPCError { RPCError(code: code, message: message) }
}
