import GRPCCore
import Logging

/// Server interceptor that turns whatever a handler throws into a gRPC status a caller can act on.
///
/// `CaravanError` keeps its code and message; `RPCError` passes through; anything else is a bug, answered as
/// INTERNAL with its description and logged, so a daemon never hides an error behind UNKNOWN.
public struct ErrorMapper: ServerInterceptor {
    let logger: Logger

    public init(logger: Logger = Logger(label: "rpc")) {
        self.logger = logger
    }

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        do {
            return try await next(request, context)
        } catch {
            throw Self.map(error, method: context.descriptor, logger: logger)
        }
    }

    /// The status for an error thrown while handling `method`.
    public static func map(_ error: any Error, method: MethodDescriptor, logger: Logger? = nil) -> RPCError {
        switch error {
        case let rpc as RPCError:
            return rpc
        case let caravan as CaravanError:
            return caravan.rpcError
        default:
            logger?.error("unexpected error in \(method)", metadata: ["error": "\(error)"])
            return RPCError(code: .internalError, message: "\(method) failed: \(error)")
        }
    }
}
