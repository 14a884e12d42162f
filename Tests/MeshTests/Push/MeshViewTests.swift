import CaravanProto
import CaravanRPC
import Testing

@testable import Mesh

@Suite("MeshView: meshd's copy of the mesh state from watch frames")
struct MeshViewTests {
    @Test("a snapshot frame replaces everything; a later frame replaces only the keys it names")
    func framesReplaceKeys() {
        var view = MeshView()
        #expect(!view.isReady)
        let changed = view.apply(MeshFixtures.snapshotFrame())
        #expect(view.isReady && view.index == 10)
        #expect(changed.contains(MeshStateKey.catalog("api")))
        #expect(view.instances(of: "api").map(\.allocID) == ["a1", "a2"])

        // api loses an instance: the frame holds the complete remaining set.
        view.apply(
            .with {
                $0.index = 12
                $0.instances = [MeshFixtures.instance("api", alloc: "a2", port: 9091)]
                $0.keyIndexes = [MeshStateKey.catalog("api"): 12]
            })
        #expect(view.instances(of: "api").map(\.allocID) == ["a2"])
        #expect(view.instances(of: "web").count == 1, "keys not in the frame are kept")
        #expect(view.version(of: [MeshStateKey.catalog("api"), MeshStateKey.catalog("web")]) == 12)

        // An intention key with no intentions left removes them; a config key without an entry deletes it.
        view.apply(MeshFixtures.intentionFrame(index: 13, destination: "web", source: "api"))
        #expect(view.allIntentions.count == 1)
        view.apply(
            .with {
                $0.index = 14; $0.keyIndexes = [MeshStateKey.intentions("web"): 14]
            })
        #expect(view.allIntentions.isEmpty)
        view.apply(
            .with {
                $0.index = 15
                $0.configEntries = [
                    .with {
                        $0.kind = "service-defaults"; $0.name = "api"; $0.serviceDefaults.protocol = "http"
                    }
                ]
                $0.keyIndexes = [MeshStateKey.config(kind: "service-defaults", name: "api"): 15]
            })
        #expect(view.configEntry(kind: "service-defaults", name: "api")?.serviceDefaults.protocol == "http")
        view.apply(
            .with {
                $0.index = 16; $0.keyIndexes = [MeshStateKey.config(kind: "service-defaults", name: "api"): 16]
            })
        #expect(view.configEntry(kind: "service-defaults", name: "api") == nil)

        // A new snapshot drops what it does not hold and reports the vanished keys as changed.
        let again = view.apply(
            .with {
                $0.index = 20; $0.snapshot = true
            })
        #expect(view.instances(of: "api").isEmpty && again.contains(MeshStateKey.catalog("web")))
    }
}
