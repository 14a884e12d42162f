import GRPCCore
import Logging

/// Server interceptor that turns whatever a handler throws (or a streaming handler's producer throws) into a gRPC
/// status a caller can act on.
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
        var response: StreamingServerResponse<Output>
        do {
            response = try await next(request, context)
        } catch {
            throw Self.map(error, method: context.descriptor, logger: logger)
        }
        // A streaming handler throws from its producer, after the response was accepted: map those errors too.
        if case .success(var contents) = response.accepted {
            let producer = contents.producer
            let method = context.descriptor
            contents.producer = { writer in
                do {
                    return try await producer(writer)
                } catch {
                    // Not logged: once a stream runs, most failures are the peer or the transport going away
                    // (I/O on a closed channel at shutdown); the caller still gets the mapped status.
                    throw Self.map(error, method: method, logger: nil)
                }
            }
            response.accepted = .success(contents)
        }
        return response
    }

    /// The status for an error thrown while handling `method`.
    public static func map(_ error: any Error, method: MethodDescriptor, logger: Logger? = nil) -> RPCError {
        switch error {
        case let rpc as RPCError:
            return rpc
        case let caravan as CaravanError:
            return caravan.rpcError
        case is CancellationError:
            // The caller went away or the server is stopping: not a bug.
            return RPCError(code: .cancelled, message: "\(method) was cancelled")
        default:
            logger?.error("unexpected error in \(method)", metadata: ["error": "\(error)"])
            return RPCError(code: .internalError, message: "\(method) failed: \(error)")
        }
    }
}
