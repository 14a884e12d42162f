import CaravanProto
import CaravanRPC
import Logging
import ServiceLifecycle

/// Keeps the `MeshViewStore` in step with the servers: one `MeshState.Watch` stream at a time, to whichever
/// server answers, resumed from the last index seen when it breaks (a server died, the stream's deadline passed).
/// meshd holds nothing else, so any number of replicas can follow the same state.
public struct MeshStateFollower: Service {
    let servers: ServerFailoverPool
    let store: MeshViewStore
    let logger: Logger

    public init(servers: ServerFailoverPool, store: MeshViewStore, logger: Logger) {
        self.servers = servers
        self.store = store
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await follow()
        }
    }

    func follow() async {
        var failures = 0
        while !Task.isCancelled {
            let view = store.view
            let since = view.isReady ? view.index : 0
            do {
                try await servers.withServer(streaming: true) { client in
                    let request = Caravan_V1_WatchMeshStateRequest.with { $0.query.minIndex = since }
                    try await Caravan_V1_MeshState.Client(wrapping: client).watch(request) { response in
                        for try await frame in response.messages {
                            store.apply(frame)
                        }
                    }
                }
                failures = 0
            } catch {
                if Task.isCancelled { return }
                failures += 1
                if failures == 1 || failures % 20 == 0 {
                    logger.warning(
                        "mesh state watch broke; resuming", metadata: ["error": "\(error)", "since": "\(since)"])
                }
                try? await Task.sleep(for: .milliseconds(min(2000, 100 * failures)))
            }
        }
    }
}
