import CaravanProto
import CaravanRPC
import Foundation
import Logging

@testable import Mesh

/// Watch frames and registrations for the push tests: service "web" (connect, upstream "api") and "api" with two
/// instances tagged v1/v2.
enum MeshFixtures {
    static func instance(
        _ service: String, alloc: String, port: Int32, meta: [String: String] = [:], upstreams: [String] = []
    ) -> Caravan_V1_ServiceInstance {
        .with {
            $0.id = "_caravan-\(alloc)-\(service)"
            $0.name = service
            $0.allocID = alloc
            $0.nodeID = "n1"
            $0.datacenter = "dc1"
            $0.address = "10.0.0.1"
            $0.port = port
            $0.meta = meta
            $0.health = .passing
            $0.connect.sidecarAddress = "10.0.0.1"
            $0.connect.sidecarPort = port + 1000
            $0.connect.sidecarBindPort = port + 1000
            $0.connect.localServicePort = port
            $0.connect.proxy.upstreams = upstreams.map { name in
                .with {
                    $0.destinationName = name
                    $0.localBindPort = 9191
                }
            }
        }
    }

    static let roots = Caravan_V1_CARootSet.with {
        $0.trustDomain = "abc.caravan"
        $0.activeRootID = "r1"
        $0.roots = [
            .with {
                $0.id = "r1"; $0.active = true; $0.rootCertPem = "PEM"
            }
        ]
    }

    /// A snapshot frame at index 10 with web (alloc w1) and two api instances.
    static func snapshotFrame() -> Caravan_V1_MeshStateEvent {
        .with {
            $0.index = 10
            $0.snapshot = true
            $0.instances = [
                instance("web", alloc: "w1", port: 8080, upstreams: ["api"]),
                instance("api", alloc: "a1", port: 9090, meta: ["version": "1"]),
                instance("api", alloc: "a2", port: 9091, meta: ["version": "2"]),
            ]
            $0.roots = roots
            $0.keyIndexes = [
                MeshStateKey.catalog("web"): 4, MeshStateKey.catalog("api"): 6, MeshStateKey.roots: 2,
            ]
        }
    }

    static func leaf(serial: UInt64) -> Caravan_V1_LeafCert {
        .with {
            $0.serialNumber = String(serial, radix: 16)
            $0.spiffeID = "spiffe://abc.caravan/ns/default/dc/dc1/svc/web"
            $0.service = "web"
        }
    }

    static func registration(alloc: String = "w1", serial: UInt64 = 3) -> ProxyRegistration {
        ProxyRegistration(
            proxyID: "\(alloc)-sidecar-proxy-web", service: "web", allocID: alloc, workloadToken: "t",
            leaf: leaf(serial: serial), keyID: "k")
    }

    static func intentionFrame(index: UInt64, destination: String, source: String) -> Caravan_V1_MeshStateEvent {
        .with {
            $0.index = index
            $0.intentions = [
                .with {
                    $0.id = "i-\(source)-\(destination)"
                    $0.sourceName = source
                    $0.destinationName = destination
                    $0.action = .allow
                    $0.modifyIndex = index
                }
            ]
            $0.keyIndexes = [MeshStateKey.intentions(destination): index]
        }
    }

    static let settings = MeshSettings(datacenter: "dc1", defaultAllow: false)
    static let logger = Logger(label: "mesh-tests")
}
