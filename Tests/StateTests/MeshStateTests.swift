import CaravanProto
import CaravanRPC
import Foundation
import State
import SwiftProtobuf
import Testing

/// The mesh tables of the state machine: the catalog derived from allocations, intentions and config entries
/// written through meshd, the Connect CA, and the per-key change indexes meshd versions snapshots by.
@Suite("StateMachine: catalog, intentions, config entries and the Connect CA")
struct MeshStateTests {
    typealias Fixture = ClusterStateTests

    /// A job whose group runs in bridge mode with a connect service "api" (port "http" → 9090 inside) that has a
    /// sidecar with one upstream, and a plain service "metrics".
    static func meshJob() -> Caravan_V1_Job {
        var job = Fixture.job("api")
        job.taskGroups[0].networks = [.with { $0.mode = "bridge" }]
        job.taskGroups[0].services = [
            .with {
                $0.name = "api"
                $0.portLabel = "http"
                $0.tags = ["v1"]
                $0.meta = ["version": "1"]
                $0.connect.sidecarService.port = "connect-proxy-api"
                $0.connect.sidecarService.proxy.upstreams = [
                    .with {
                        $0.destinationName = "db"
                        $0.localBindPort = 5432
                    }
                ]
            },
            .with {
                $0.name = "metrics"
                $0.portLabel = "http"
                $0.addressMode = .alloc
            },
        ]
        return job
    }

    static func placedAlloc(_ id: String, node: String) -> Caravan_V1_Allocation {
        var alloc = Caravan_V1_Allocation()
        alloc.id = id
        alloc.namespace = "default"
        alloc.jobID = "api"
        alloc.nodeID = node
        alloc.taskGroup = "web"
        alloc.allocatedResources.shared.networks = [
            .with {
                $0.mode = "bridge"
                $0.ports = [
                    .with {
                        $0.label = "http"; $0.value = 23000; $0.to = 9090
                    },
                    .with {
                        $0.label = "connect-proxy-api"; $0.value = 23001; $0.to = 23001
                    },
                ]
            }
        ]
        return alloc
    }

    /// A machine with the job registered (1), node n1 at 10.0.0.5 (2) and allocation a1 placed on it (3).
    static func machine() throws -> StateMachine {
        let machine = StateMachine()
        _ = try Fixture.register(machine, meshJob(), eval: "e1", index: 1)
        var node = Fixture.node("n1", secret: "s1")
        node.attributes["unique.network.ip-address"] = "10.0.0.5"
        _ = machine.apply(entryData: try Fixture.entry { $0.registerNode = .with { $0.node = node } }, index: 2)
        var plan = Caravan_V1_Plan()
        plan.nodeAllocation["n1"] = .with { $0.allocations = [placedAlloc("a1", node: "n1")] }
        _ = machine.apply(entryData: try Fixture.entry { $0.applyPlan = .with { $0.plan = plan } }, index: 3)
        return machine
    }

    static func report(
        _ machine: StateMachine, _ status: Caravan_V1_AllocClientStatus, index: UInt64, bridgeIP: String = "172.26.64.9"
    ) throws {
        _ = machine.apply(
            entryData: try Fixture.entry {
                $0.clientAllocUpdates = .with {
                    $0.nodeID = "n1"
                    $0.updates = [
                        .with {
                            $0.allocID = "a1"
                            $0.clientStatus = status
                            $0.networkStatus.address = bridgeIP
                        }
                    ]
                }
            }, index: index)
    }

    @Test("a running allocation's services enter the catalog with host and sidecar addresses, and leave when it stops")
    func catalogFollowsAllocations() throws {
        let machine = try Self.machine()
        #expect(machine.cluster.mesh.instances(of: "api").isEmpty, "a pending allocation registers nothing")

        try Self.report(machine, .running, index: 4)
        let api = try #require(machine.cluster.mesh.instances(of: "api").first)
        #expect(api.address == "10.0.0.5" && api.port == 23000)
        #expect(api.allocID == "a1" && api.nodeName == "n1" && api.datacenter == "dc1")
        #expect(api.tags == ["v1"] && api.meta == ["version": "1"] && api.health == .passing)
        #expect(api.connect.sidecarAddress == "10.0.0.5" && api.connect.sidecarPort == 23001)
        #expect(api.connect.sidecarBindPort == 23001 && api.connect.localServicePort == 9090)
        #expect(api.connect.proxy.upstreams.map(\.destinationName) == ["db"])
        #expect(api.createIndex == 4 && api.modifyIndex == 4)
        let metrics = try #require(machine.cluster.mesh.instances(of: "metrics").first)
        #expect(metrics.address == "172.26.64.9" && metrics.port == 9090, "address_mode alloc: bridge IP and to")
        #expect(machine.cluster.mesh.keyIndexes[MeshStateKey.catalog("api")] == 4)
        #expect(machine.cluster.tableIndexes[.catalog] == 4)

        try Self.report(machine, .running, index: 5)
        #expect(machine.cluster.mesh.keyIndexes[MeshStateKey.catalog("api")] == 4, "an unchanged instance is no change")

        try Self.report(machine, .complete, index: 6)
        #expect(machine.cluster.mesh.instances(of: "api").isEmpty)
        #expect(machine.cluster.mesh.serviceNames.isEmpty)
        #expect(machine.cluster.mesh.keyIndexes[MeshStateKey.catalog("api")] == 6, "a removal is a change too")
    }

    @Test("instances on a node that went down turn critical")
    func nodeDownMakesCritical() throws {
        let machine = try Self.machine()
        try Self.report(machine, .running, index: 4)
        _ = machine.apply(
            entryData: try Fixture.entry {
                $0.updateNodeStatus = .with {
                    $0.nodeID = "n1"
                    $0.status = .down
                }
            }, index: 5)
        #expect(machine.cluster.mesh.instances(of: "api").first?.health == .critical)
        #expect(machine.cluster.mesh.keyIndexes[MeshStateKey.catalog("api")] == 5)
    }

    static func intention(_ id: String, _ source: String, _ destination: String) -> Caravan_V1_Intention {
        .with {
            $0.id = id
            $0.sourceName = source
            $0.destinationName = destination
            $0.action = .allow
        }
    }

    static func meshApply(_ fill: (inout Caravan_V1_ApplyMeshStateRequest) -> Void) throws -> [UInt8] {
        var request = Caravan_V1_ApplyMeshStateRequest()
        fill(&request)
        return try Fixture.entry { $0.meshApply = request }
    }

    @Test("intentions: one per pair, check-and-set, pair immutable, deletes recorded under the destination's key")
    func intentions() throws {
        let machine = StateMachine()
        let results = machine.applyAll([
            try Self.meshApply { $0.upsertIntention = Self.intention("i1", "web", "api") },
            try Self.meshApply { $0.upsertIntention = Self.intention("i2", "web", "api") },
            try Self.meshApply {
                $0.upsertIntention = Self.intention("i1", "web", "api")
                $0.checkIndex = 7
            },
            try Self.meshApply { $0.upsertIntention = Self.intention("i1", "web", "db") },
        ])
        #expect(results[0].refusal == nil)
        #expect(results[1].refusal?.code == .alreadyExists)
        #expect(results[2].refusal?.code == .failedPrecondition)
        #expect(results[3].refusal?.message.contains("cannot change") == true)
        #expect(machine.cluster.mesh.allIntentions.map(\.id) == ["i1"])
        #expect(machine.cluster.mesh.intentions["i1"]?.createIndex == 1)
        #expect(machine.cluster.mesh.keyIndexes[MeshStateKey.intentions("api")] == 1)

        machine.applyAll([try Self.meshApply { $0.deleteIntentionID = "i1" }])
        #expect(machine.cluster.mesh.allIntentions.isEmpty)
        #expect(machine.cluster.mesh.keyIndexes[MeshStateKey.intentions("api")] == 5)
        #expect(machine.cluster.tableIndexes[.intentions] == 5)
    }

    static func defaults(_ name: String, protocol: String) -> Caravan_V1_ConfigEntry {
        .with {
            $0.kind = "service-defaults"
            $0.name = name
            $0.serviceDefaults.protocol = `protocol`
        }
    }

    @Test("config entries: upsert keeps the create index, check-and-set, delete of a missing entry is NOT_FOUND")
    func configEntries() throws {
        let machine = StateMachine()
        let results = machine.applyAll([
            try Self.meshApply { $0.upsertConfigEntry = Self.defaults("api", protocol: "http") },
            try Self.meshApply {
                $0.upsertConfigEntry = Self.defaults("api", protocol: "grpc")
                $0.checkIndex = 0
            },
            try Self.meshApply {
                $0.upsertConfigEntry = Self.defaults("api", protocol: "grpc")
                $0.checkIndex = 1
            },
            try Self.meshApply {
                $0.deleteConfigEntry = .with {
                    $0.kind = "service-router"
                    $0.name = "api"
                }
            },
        ])
        #expect(results[0].refusal == nil && results[2].refusal == nil)
        #expect(results[1].refusal?.code == .failedPrecondition, "check index 0 means: must not exist")
        #expect(results[3].refusal?.code == .notFound)
        let entry = try #require(machine.cluster.mesh.configEntry(kind: "service-defaults", name: "api"))
        #expect(entry.serviceDefaults.protocol == "grpc" && entry.createIndex == 1 && entry.modifyIndex == 3)
        #expect(entry.namespace == "default")
        #expect(machine.cluster.mesh.keyIndexes[MeshStateKey.config(kind: "service-defaults", name: "api")] == 3)
    }

    static func caState(rootID: String) -> Caravan_V1_ConnectCAState {
        .with {
            $0.trustDomain = "11111111-2222.caravan"
            $0.roots = [
                .with {
                    $0.id = rootID
                    $0.rootCertPem = "PEM"
                }
            ]
            $0.rootKeys = [rootID: "KEY"]
            $0.tokenKey = Data(repeating: 7, count: 32)
        }
    }

    @Test("the CA is created once; rotation needs the current active root and keeps the old root trusted")
    func connectCA() throws {
        let machine = StateMachine()
        let results = machine.applyAll([
            try Fixture.entry { $0.initConnectCa = .with { $0.ca = Self.caState(rootID: "r1") } },
            try Fixture.entry { $0.initConnectCa = .with { $0.ca = Self.caState(rootID: "r9") } },
            try Fixture.entry {
                $0.rotateConnectCa = .with {
                    $0.root.id = "r2"
                    $0.rootKeyPem = "KEY2"
                    $0.previousRootID = "r9"
                }
            },
            try Fixture.entry {
                $0.rotateConnectCa = .with {
                    $0.root.id = "r2"
                    $0.rootKeyPem = "KEY2"
                    $0.previousRootID = "r1"
                }
            },
        ])
        #expect(results[0].refusal == nil && results[3].refusal == nil)
        #expect(results[1].refusal?.code == .alreadyExists, "a second leader's CA is refused")
        #expect(results[2].refusal?.code == .failedPrecondition)
        let roots = machine.cluster.mesh.rootSet
        #expect(roots.activeRootID == "r2" && roots.roots.map(\.id) == ["r1", "r2"])
        #expect(roots.roots[0].hasRotatedOutAt && !roots.roots[0].active)
        #expect(machine.cluster.mesh.keyIndexes[MeshStateKey.roots] == 4)
    }

    @Test("the mesh tables and their key indexes survive a snapshot and restore")
    func snapshotRoundTrip() throws {
        let machine = try Self.machine()
        try Self.report(machine, .running, index: 4)
        machine.applyAll([
            try Self.meshApply { $0.upsertIntention = Self.intention("i1", "web", "api") },
            try Self.meshApply { $0.upsertConfigEntry = Self.defaults("api", protocol: "http") },
            try Fixture.entry { $0.initConnectCa = .with { $0.ca = Self.caState(rootID: "r1") } },
        ])
        let bytes = try machine.snapshot()
        let restored = StateMachine()
        try restored.restore(from: bytes)
        #expect(try restored.snapshot() == bytes)
        #expect(restored.cluster.mesh.instances(of: "api") == machine.cluster.mesh.instances(of: "api"))
        #expect(restored.cluster.mesh.keyIndexes == machine.cluster.mesh.keyIndexes)
        #expect(restored.cluster.mesh.connectCA == machine.cluster.mesh.connectCA)

        // The restored catalog still follows its allocations.
        _ = restored.apply(
            entryData: try Fixture.entry {
                $0.clientAllocUpdates = .with {
                    $0.nodeID = "n1"
                    $0.updates = [
                        .with {
                            $0.allocID = "a1"; $0.clientStatus = .failed
                        }
                    ]
                }
            }, index: 8)
        #expect(restored.cluster.mesh.instances(of: "api").isEmpty)
    }
}
