import TaskExecutor

/// A driver whose tasks run under an executor process: waiting, re-attaching, signalling, stopping and cleaning
/// up are the same for every such driver, so they live here once; drivers differ only in how they start.
protocol ExecutorBackedDriver: TaskDriver {
    var client: ExecutorClient { get }
}

extension ExecutorBackedDriver {
    public func wait(_ handle: TaskHandle) async -> TaskExit { await client.wait(handle) }

    public func isRunning(_ handle: TaskHandle) -> Bool { client.isRunning(handle) }

    public func signal(_ handle: TaskHandle, _ signal: Int32) throws(DriverError) { try client.signal(handle, signal) }

    public func stop(_ handle: TaskHandle, signal: Int32, timeout: Duration) async -> TaskExit {
        await client.stop(handle, signal: signal, timeout: timeout)
    }

    public func destroy(_ handle: TaskHandle) { client.destroy(handle) }
}
