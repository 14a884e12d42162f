import Foundation

/// Runs a blocking call (poll, waitpid, a pipe read) on its own thread so Swift's cooperative pool is never
/// blocked, however long a task runs.
enum BlockingCall {
    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.name = "caravan-driver-wait"
            thread.start()
        }
    }
}
