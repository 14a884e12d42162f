import CaravanProto
import Mesh
import Testing

@Suite("Upstream listener building")
struct UpstreamListenerBuilderTests {
    typealias Support = ChainTestSupport

    static func instance(
        _ id: String, service: String = "api", version: String, health: Caravan_V1_HealthStatus = .passing,
        sidecarPort: Int32 = 21000, native: Bool = false
    ) -> Caravan_V1_ServiceInstance {
        var instance = Caravan_V1_ServiceInstance()
        instance.id = id
        instance.name = service
        instance.allocID = "alloc-\(id)"
        instance.nodeID = "node-\(id)"
        instance.datacenter = "dc1"
        instance.address = "10.0.0.\(id.count)"
        instance.port = 8080
        instance.meta = ["version": version]
        instance.health = health
        instance.kind = .typical
        if native {
            instance.connect.native = true
        } else if sidecarPort > 0 {
            instance.connect.sidecarAddress = "172.26.64.\(id.count)"
            instance.connect.sidecarPort = sidecarPort
        }
        return instance
    }

    static func upstream(_ name: String, port: Int32) -> Caravan_V1_ConnectUpstream {
        var upstream = Caravan_V1_ConnectUpstream()
        upstream.destinationName = name
        upstream.localBindPort = port
        return upstream
    }

    static let catalog: [Caravan_V1_ServiceInstance] = [
        instance("a", version: "v1"),
        instance("b", version: "v2"),
        instance("c", version: "v2", health: .critical),
        instance("d", version: "v2", health: .warning),
        instance("e", version: "v1", sidecarPort: 0),
        instance("f", version: "v1", native: true),
        instance("g", version: "v2", health: .unknown),
    ]

    @Test("a tcp upstream gets one catch-all route and every mesh-enabled, non-critical instance")
    func tcpUpstream() throws {
        let chain = try Support.compile("api", MeshConfigGraph(entries: []))
        let listener = UpstreamListenerBuilder.build(
            upstream: Self.upstream("api", port: 9191), chain: chain, instances: { _ in Self.catalog })
        #expect(listener.destinationName == "api")
        #expect(listener.destinationNamespace == "default")
        #expect(listener.localBindAddress == "127.0.0.1")
        #expect(listener.localBindPort == 9191)
        #expect(listener.protocol == .tcp)
        #expect(listener.connectTimeout.seconds == 5)
        #expect(listener.chain == chain.chain)
        #expect(listener.routes.count == 1)
        #expect(!listener.routes[0].hasMatch)
        #expect(listener.routes[0].targets.map(\.targetID) == ["api.default.dc1"])
        #expect(listener.routes[0].targets.map(\.weight) == [10_000])
        let target = try #require(listener.targets["api.default.dc1"])
        #expect(target.endpoints.map(\.allocID) == ["alloc-a", "alloc-b", "alloc-d", "alloc-f", "alloc-g"])
        let sidecar = try #require(target.endpoints.first)
        #expect(sidecar.address == "172.26.64.1")
        #expect(sidecar.port == 21000)
        #expect(sidecar.spiffeID == "spiffe://\(Support.trustDomain)/ns/default/dc/dc1/svc/api")
        #expect(sidecar.weight == 1)
        #expect(sidecar.nodeID == "node-a")
        #expect(sidecar.subsetMeta == ["version": "v1"])
        let native = try #require(target.endpoints.first { $0.allocID == "alloc-f" })
        #expect(native.address == "10.0.0.1")
        #expect(native.port == 8080)
        #expect(target.sni == "api.default.dc1.internal.\(Support.trustDomain)")
    }

    @Test("http routes carry their match and options; subset targets keep only matching, passing instances")
    func httpUpstreamWithSubsets() throws {
        let graph = try Support.graph(
            Support.defaults("web", "http"), Support.defaults("api", "http"),
            """
            Kind = "service-router"
            Name = "api"
            Routes = [{
              Match { HTTP { PathPrefix = "/v2" } }
              Destination = { ServiceSubset = "v2", PrefixRewrite = "/", NumRetries = 2 }
            }]
            """,
            """
            Kind = "service-resolver"
            Name = "api"
            DefaultSubset = "v1"
            Subsets = {
              v1 = { Filter = "Service.Meta.version == v1" }
              v2 = { Filter = "Service.Meta.version == v2", OnlyPassing = true }
            }
            Failover = { v2 = { ServiceSubset = "v1" } }
            """)
        var upstream = Self.upstream("api", port: 9292)
        upstream.localBindAddress = "127.0.0.2"
        let listener = UpstreamListenerBuilder.build(
            upstream: upstream, chain: try Support.compile("api", graph), instances: { _ in Self.catalog })
        #expect(listener.protocol == .http)
        #expect(listener.localBindAddress == "127.0.0.2")
        #expect(listener.routes.count == 2)
        #expect(listener.routes[0].match.http.pathPrefix == "/v2")
        #expect(listener.routes[0].options.prefixRewrite == "/")
        #expect(listener.routes[0].options.numRetries == 2)
        #expect(listener.routes[0].options.serviceSubset == "")
        #expect(listener.routes[0].targets.map(\.targetID) == ["v2.api.default.dc1"])
        #expect(listener.routes[1].targets.map(\.targetID) == ["v1.api.default.dc1"])

        let v2 = try #require(listener.targets["v2.api.default.dc1"])
        #expect(v2.endpoints.map(\.allocID) == ["alloc-b"])
        #expect(v2.failoverTargetIds == ["v1.api.default.dc1"])
        #expect(v2.sni == "v2.api.default.dc1.internal.\(Support.trustDomain)")
        let v1 = try #require(listener.targets["v1.api.default.dc1"])
        #expect(v1.endpoints.map(\.allocID) == ["alloc-a", "alloc-f"])
        #expect(v1.failoverTargetIds == [])
    }

    @Test("endpoints come from the target's own service, so a redirect serves the other service's instances")
    func redirectEndpoints() throws {
        let graph = try Support.graph(
            """
            Kind = "service-resolver"
            Name = "db"
            Redirect = { Service = "db-new" }
            """)
        var asked: [String] = []
        let listener = UpstreamListenerBuilder.build(
            upstream: Self.upstream("db", port: 5432), chain: try Support.compile("db", graph),
            instances: { service in
                asked.append(service)
                return [
                    Self.instance("n", service: "db-new", version: "v1"),
                    Self.instance("o", service: "db", version: "v1"),
                ]
            })
        #expect(asked == ["db-new"])
        #expect(listener.targets["db-new.default.dc1"]?.endpoints.map(\.allocID) == ["alloc-n"])
    }
}
