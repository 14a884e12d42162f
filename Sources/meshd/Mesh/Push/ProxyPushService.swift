import ServiceLifecycle

/// Runs the registry's push loop for the daemon's lifetime.
struct ProxyPushService: Service {
    let registry: ProxyRegistry

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await registry.follow()
        }
    }
}
