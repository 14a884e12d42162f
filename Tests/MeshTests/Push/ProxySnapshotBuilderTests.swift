import CaravanProto
import CaravanRPC
import Testing

@testable import Mesh

@Suite("ProxySnapshotBuilder: one proxy's complete snapshot and its version")
struct ProxySnapshotBuilderTests {
    static func view(_ frames: [Caravan_V1_MeshStateEvent] = []) -> MeshView {
        var view = MeshView()
        view.apply(MeshFixtures.snapshotFrame())
        for frame in frames { view.apply(frame) }
        return view
    }

    static func build(_ view: MeshView, _ registration: ProxyRegistration = MeshFixtures.registration())
        -> ProxySnapshotBuilder.Built
    {
        ProxySnapshotBuilder.build(
            for: registration, inputs: SnapshotInputs(view: view, settings: MeshFixtures.settings))
    }

    @Test("the snapshot carries identity, TLS, the inbound listener and the upstream with its endpoints")
    func complete() throws {
        let built = Self.build(Self.view())
        let snapshot = try #require(built.snapshot)
        #expect(snapshot.identity.service == "web" && snapshot.identity.allocID == "w1")
        #expect(snapshot.tls.leaf.serialNumber == "3" && snapshot.tls.roots.map(\.id) == ["r1"])
        #expect(snapshot.inbound.bindPort == 9080 && snapshot.inbound.localAppPort == 8080)
        #expect(snapshot.inbound.localAppAddress == "127.0.0.1" && snapshot.inbound.defaultAction == .deny)
        #expect(snapshot.inbound.protocol == .tcp)
        let upstream = try #require(snapshot.upstreams.first)
        #expect(upstream.destinationName == "api" && upstream.localBindPort == 9191)
        let ports = upstream.targets.values.flatMap(\.endpoints).map(\.port).sorted()
        #expect(ports == [10090, 10091], "sidecar ports of both api instances")
        #expect(built.dependencies.contains(MeshStateKey.catalog("api")))
        #expect(built.dependencies.contains(MeshStateKey.config(kind: "service-router", name: "api")))
        #expect(built.version == 6 && snapshot.version == 6, "highest key index among the dependencies")
    }

    @Test("the version follows the dependencies only: an unrelated change leaves it, a related one raises it")
    func versionFollowsDependencies() {
        let base = Self.build(Self.view()).version
        let unrelated = Self.build(
            Self.view([MeshFixtures.intentionFrame(index: 30, destination: "billing", source: "x")]))
        #expect(unrelated.version == base)
        let related = Self.build(Self.view([MeshFixtures.intentionFrame(index: 31, destination: "web", source: "api")]))
        #expect(related.version == 31)
        #expect(related.snapshot?.inbound.intentions.map(\.sourceName) == ["api"])
        let wildcard = Self.build(Self.view([MeshFixtures.intentionFrame(index: 32, destination: "*", source: "ops")]))
        #expect(wildcard.version == 32, "intentions for * apply to every destination")
        let renewed = Self.build(Self.view(), MeshFixtures.registration(serial: 40))
        #expect(renewed.version == 40, "a newer leaf raises the version")
    }

    @Test("a proxy whose allocation has no instance yet gets no snapshot, but waits on its catalog key")
    func waitsForInstance() {
        let built = Self.build(Self.view(), MeshFixtures.registration(alloc: "w9"))
        #expect(built.snapshot == nil)
        #expect(built.dependencies.contains(MeshStateKey.catalog("web")))
    }
}
