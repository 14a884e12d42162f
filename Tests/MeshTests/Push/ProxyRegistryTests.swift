import CaravanProto
import CaravanRPC
import Testing

@testable import Mesh

@Suite("ProxyRegistry: push only to proxies whose snapshot version moved", .timeLimit(.minutes(1)))
struct ProxyRegistryTests {
    @Test("changes reach the proxies that depend on them; others get nothing; a burst is one rebuild")
    func pushesOnlyChanged() async throws {
        let store = MeshViewStore()
        store.apply(MeshFixtures.snapshotFrame())
        let registry = ProxyRegistry(
            store: store, settings: MeshFixtures.settings, logger: MeshFixtures.logger,
            coalesceWindow: .milliseconds(200))
        let (webOutbox, webIn) = AsyncStream.makeStream(of: Caravan_V1_ProxySnapshot.self)
        let (apiOutbox, apiIn) = AsyncStream.makeStream(of: Caravan_V1_ProxySnapshot.self)
        var web = webOutbox.makeAsyncIterator()
        var api = apiOutbox.makeAsyncIterator()
        _ = await registry.open(MeshFixtures.registration(), outbox: webIn)
        var apiRegistration = MeshFixtures.registration(alloc: "a1")
        apiRegistration.service = "api"
        let apiID = await registry.open(apiRegistration, outbox: apiIn)
        #expect(await web.next()?.version == 6)
        #expect(await api.next()?.version == 6)

        // Three intention writes for web in one burst: one rebuild, web gets the last version only.
        let rebuildsBefore = await registry.counters.rebuilds
        for index in UInt64(20)...22 {
            let frame = MeshFixtures.intentionFrame(index: index, destination: "web", source: "s\(index)")
            store.apply(frame)
            await registry.markChanged(Set(frame.keyIndexes.keys))
        }
        let pushed = await web.next()
        // Each frame holds web's complete intention set, so the last one is what the proxy gets.
        #expect(pushed?.version == 22 && pushed?.inbound.intentions.map(\.sourceName) == ["s22"])
        #expect(await registry.counters.rebuilds == rebuildsBefore + 1)

        // api's proxy was not rebuilt for web's intentions; a change of api's own key reaches it.
        let frame = MeshFixtures.intentionFrame(index: 23, destination: "api", source: "web")
        store.apply(frame)
        await registry.markChanged(Set(frame.keyIndexes.keys))
        #expect(await api.next()?.version == 23)
        #expect(await registry.counters.snapshotsSent == 4)

        await registry.acknowledge(apiID, version: 23)
        #expect(await registry.ackedVersion(apiID) == 23)
        await registry.reject(apiID, version: 24, reason: "listener port in use")
        #expect(await registry.counters.nacks == 1)
        #expect(await registry.ackedVersion(apiID) == 23, "a NACK keeps the previous version in force")
        await registry.close(apiID)
        #expect(await registry.connectedProxies == 1)
        #expect(await api.next() == nil, "closing finishes the outbox")
    }
}
