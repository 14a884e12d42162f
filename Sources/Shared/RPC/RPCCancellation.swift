import GRPCCore
import ServiceLifecycle

/// Server-side helpers for long-running handlers.
public enum RPCCancellation {
    /// Runs `body` until it finishes or the RPC is cancelled (the caller went away, the deadline passed, the
    /// server shuts down), whichever comes first; then `body`'s task is cancelled.
    ///
    /// gRPC signals cancellation through `context.cancellation`, not by cancelling the handler's task, so a
    /// handler that polls or waits on another call (followed files, forwarded streams) would otherwise run on.
    /// A graceful shutdown of the daemon (SIGTERM) only waits for RPCs in flight, so an endless stream would hold
    /// the daemon up forever: it is cancelled too.
    public static func bound<Result: Sendable>(
        to context: ServerContext, _ body: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask { try await cancelWhenGracefulShutdown { try await body() } }
            group.addTask {
                try await context.cancellation.cancelled
                throw CancellationError()
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let result = first else { throw CancellationError() }
            return result
        }
    }
}
