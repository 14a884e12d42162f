import CaravanProto
import Mesh
import SwiftProtobuf
import Testing

@Suite("Discovery chain compiler")
struct DiscoveryChainCompilerTests {
    typealias Support = ChainTestSupport

    @Test("with no config entries the chain is one default resolver for the service itself, over tcp")
    func defaultChain() throws {
        let compiled = try Support.compile("api", MeshConfigGraph(entries: []))
        let chain = compiled.chain
        #expect(chain.serviceName == "api")
        #expect(chain.namespace == "default")
        #expect(chain.datacenter == "dc1")
        #expect(chain.protocol == "tcp")
        #expect(chain.startNode == "resolver:api.default.dc1")
        #expect(chain.nodes.count == 1)
        let resolver = try #require(chain.nodes["resolver:api.default.dc1"])
        #expect(resolver.type == .resolver)
        #expect(resolver.resolver.isDefault)
        #expect(resolver.resolver.target == "api.default.dc1")
        #expect(resolver.resolver.connectTimeout.seconds == 5)
        let target = try #require(chain.targets["api.default.dc1"])
        #expect(target.service == "api")
        #expect(target.serviceSubset == "")
        #expect(target.sni == "api.default.dc1.internal.\(Support.trustDomain)")
        #expect(target.spiffeID == "spiffe://\(Support.trustDomain)/ns/default/dc/dc1/svc/api")
        #expect(target.connectTimeout.seconds == 5)
        #expect(!chain.customized)
        #expect(compiled.targetServices == ["api"])
    }

    @Test("an http service's chain reports http; its router and splitter entries are consulted even when absent")
    func httpWithoutRouting() throws {
        let graph = try Support.graph(Support.defaults("web", "http"))
        let compiled = try Support.compile("web", graph)
        #expect(compiled.chain.protocol == "http")
        #expect(compiled.chain.startNode == "resolver:web.default.dc1")
        #expect(
            compiled.consultedEntries == [
                Support.key("service-defaults", "web"), Support.key("service-router", "web"),
                Support.key("service-splitter", "web"), Support.key("service-resolver", "web"),
            ])
    }

    @Test("consulted entries include absent ones along redirects, so creating them later triggers a recompile")
    func consultedIncludesAbsent() throws {
        let graph = try Support.graph(
            """
            Kind = "service-resolver"
            Name = "db"
            Redirect = { Service = "db-new" }
            """)
        let compiled = try Support.compile("db", graph)
        #expect(compiled.consultedEntries.contains(Support.key("service-resolver", "db")))
        #expect(compiled.consultedEntries.contains(Support.key("service-resolver", "db-new")))
        #expect(compiled.consultedEntries.contains(Support.key("service-defaults", "db-new")))
        #expect(compiled.consultedEntries.contains(Support.key("service-router", "db")))
        #expect(!compiled.consultedEntries.contains(Support.key("service-router", "db-new")))
    }

    @Test("a router keeps its routes in order and appends a catch-all to the service itself")
    func routerWithCatchAll() throws {
        let graph = try Support.graph(
            Support.defaults("web", "http"), Support.defaults("admin", "http"),
            """
            Kind = "service-router"
            Name = "web"
            Routes = [
              { Match { HTTP { PathPrefix = "/admin" } } Destination = { Service = "admin" } },
              { Match { HTTP { PathPrefix = "/" } } Destination = { RequestTimeout = "3s" } },
            ]
            """)
        let chain = try Support.compile("web", graph).chain
        #expect(chain.startNode == "router:web")
        let router = try #require(chain.nodes["router:web"])
        #expect(router.type == .router)
        #expect(
            router.routes.map(\.nextNode) == [
                "resolver:admin.default.dc1", "resolver:web.default.dc1", "resolver:web.default.dc1",
            ])
        #expect(router.routes[0].definition.match.http.pathPrefix == "/admin")
        #expect(router.routes[1].definition.destination.requestTimeout.seconds == 3)
        #expect(!router.routes[2].definition.hasMatch)
        #expect(router.routes[2].definition.destination.service == "web")
        #expect(Set(chain.targets.keys) == ["admin.default.dc1", "web.default.dc1"])
    }

    @Test("first match wins in the flattened routes: /admin before the catch-all, in configured order")
    func firstMatchOrder() throws {
        let graph = try Support.graph(
            Support.defaults("web", "http"), Support.defaults("admin", "http"),
            """
            Kind = "service-router"
            Name = "web"
            Routes = [{ Match { HTTP { PathPrefix = "/admin" } } Destination = { Service = "admin" } }]
            """)
        let routes = flattenedRoutes(try Support.compile("web", graph))
        #expect(routes.count == 2)
        #expect(routes[0].match.http.pathPrefix == "/admin")
        #expect(routes[0].targets.map(\.targetID) == ["admin.default.dc1"])
        #expect(!routes[1].hasMatch)
        #expect(routes[1].targets.map(\.targetID) == ["web.default.dc1"])
        #expect(routes[1].targets.map(\.weight) == [10_000])
    }

    @Test("a route without a subset goes through the destination's splitter; one naming a subset bypasses it")
    func routeBypassesSplitterWithSubset() throws {
        let graph = try Support.graph(
            Support.defaults("web", "http"), Support.defaults("api", "http"),
            """
            Kind = "service-resolver"
            Name = "api"
            Subsets = { v1 = { Filter = "Service.Meta.version == v1" }, v2 = { Filter = "Service.Meta.version == v2" } }
            """,
            """
            Kind = "service-splitter"
            Name = "api"
            Splits = [{ Weight = 90, ServiceSubset = "v1" }, { Weight = 10, ServiceSubset = "v2" }]
            """,
            """
            Kind = "service-router"
            Name = "web"
            Routes = [
              { Match { HTTP { PathPrefix = "/api" } } Destination = { Service = "api" } },
              { Match { HTTP { Header = [{ Name = "x-canary", Exact = "1" }] } } Destination = { Service = "api", ServiceSubset = "v2" } },
            ]
            """)
        let chain = try Support.compile("web", graph).chain
        let router = try #require(chain.nodes["router:web"])
        #expect(router.routes[0].nextNode == "splitter:api")
        #expect(router.routes[1].nextNode == "resolver:v2.api.default.dc1")
        let splitter = try #require(chain.nodes["splitter:api"])
        #expect(splitter.splits.map(\.nextNode) == ["resolver:v1.api.default.dc1", "resolver:v2.api.default.dc1"])
        #expect(splitter.splits.map(\.weight) == [90, 10])
        let v2 = try #require(chain.targets["v2.api.default.dc1"])
        #expect(v2.subsetFilter == "Service.Meta.version == v2")
        #expect(v2.sni == "v2.api.default.dc1.internal.\(Support.trustDomain)")
    }

    @Test("nested splitters multiply out: 40% to a splitter sending 75% to v2 gives v2 30%")
    func nestedSplitFlattening() throws {
        let graph = try Support.graph(
            Support.defaults("web", "http"), Support.defaults("api", "http"),
            """
            Kind = "service-splitter"
            Name = "web"
            Splits = [{ Weight = 60 }, { Weight = 40, Service = "api" }]
            """,
            """
            Kind = "service-splitter"
            Name = "api"
            Splits = [{ Weight = 25, ServiceSubset = "v1" }, { Weight = 75, ServiceSubset = "v2" }]
            """,
            """
            Kind = "service-resolver"
            Name = "api"
            Subsets = { v1 = { Filter = "Service.Meta.version == v1" }, v2 = { Filter = "Service.Meta.version == v2" } }
            """)
        let chain = try Support.compile("web", graph).chain
        #expect(chain.startNode == "splitter:web")
        let splitter = try #require(chain.nodes["splitter:web"])
        let weights = Dictionary(uniqueKeysWithValues: splitter.splits.map { ($0.nextNode, $0.weight) })
        #expect(
            weights == [
                "resolver:web.default.dc1": 60, "resolver:v1.api.default.dc1": 10, "resolver:v2.api.default.dc1": 30,
            ])
        #expect(chain.nodes["splitter:api"] == nil)
        let routes = flattenedRoutes(try Support.compile("web", graph))
        #expect(routes.count == 1)
        let basisPoints = Dictionary(uniqueKeysWithValues: routes[0].targets.map { ($0.targetID, $0.weight) })
        #expect(basisPoints == ["web.default.dc1": 6000, "v1.api.default.dc1": 1000, "v2.api.default.dc1": 3000])
        #expect(routes[0].targets.reduce(0) { $0 + $1.weight } == 10_000)
    }

    @Test("thirds round to basis points that still sum to exactly 10000")
    func basisPointsRounding() throws {
        let graph = try Support.graph(
            Support.defaults("web", "http"), Support.defaults("a", "http"), Support.defaults("b", "http"),
            """
            Kind = "service-splitter"
            Name = "web"
            Splits = [{ Weight = 33.33 }, { Weight = 33.33, Service = "a" }, { Weight = 33.34, Service = "b" }]
            """)
        let routes = flattenedRoutes(try Support.compile("web", graph))
        let weights = try #require(routes.first).targets.map(\.weight)
        #expect(weights.count == 3)
        #expect(weights.reduce(0, +) == 10_000)
        #expect(weights.allSatisfy { (3332...3335).contains($0) })
    }

    @Test("a split to the splitter's own service without a subset goes to its resolver, not back to the splitter")
    func splitToOwnService() throws {
        let graph = try Support.graph(
            Support.defaults("web", "http"), Support.defaults("web-next", "http"),
            """
            Kind = "service-splitter"
            Name = "web"
            Splits = [{ Weight = 50, Service = "web" }, { Weight = 50, Service = "web-next" }]
            """)
        let splitter = try #require(try Support.compile("web", graph).chain.nodes["splitter:web"])
        #expect(splitter.splits.map(\.nextNode) == ["resolver:web.default.dc1", "resolver:web-next.default.dc1"])
    }

    @Test("a redirect replaces the target with another service, subset and datacenter")
    func redirect() throws {
        let graph = try Support.graph(
            """
            Kind = "service-resolver"
            Name = "db"
            Redirect = { Service = "db-replica", ServiceSubset = "ro", Datacenter = "dc2" }
            """,
            """
            Kind = "service-resolver"
            Name = "db-replica"
            Subsets = { ro = { Filter = "Service.Tags contains readonly", OnlyPassing = true } }
            """)
        let compiled = try Support.compile("db", graph)
        let chain = compiled.chain
        #expect(chain.startNode == "resolver:ro.db-replica.default.dc2")
        #expect(Set(chain.targets.keys) == ["ro.db-replica.default.dc2"])
        let target = try #require(chain.targets["ro.db-replica.default.dc2"])
        #expect(target.datacenter == "dc2")
        #expect(target.onlyPassing)
        #expect(target.sni == "ro.db-replica.default.dc2.internal.\(Support.trustDomain)")
        #expect(target.spiffeID == "spiffe://\(Support.trustDomain)/ns/default/dc/dc2/svc/db-replica")
        #expect(compiled.targetServices == ["db-replica"])
    }

    @Test("failover lists targets in order: the subset's own entry before \"*\", datacenters in order")
    func failover() throws {
        let graph = try Support.graph(
            """
            Kind = "service-resolver"
            Name = "api"
            ConnectTimeout = "2s"
            Subsets = { v1 = { Filter = "Service.Meta.version == v1" }, v2 = { Filter = "Service.Meta.version == v2" } }
            DefaultSubset = "v1"
            Failover = {
              v1 = { ServiceSubset = "v2" }
              "*" = { Datacenters = ["dc2", "dc3"] }
            }
            LoadBalancer { Policy = "least_request" }
            """)
        let compiled = try Support.compile("api", graph)
        let chain = compiled.chain
        #expect(chain.startNode == "resolver:v1.api.default.dc1")
        let node = try #require(chain.nodes["resolver:v1.api.default.dc1"])
        #expect(!node.resolver.isDefault)
        #expect(node.resolver.failover.targets == ["v2.api.default.dc1"])
        #expect(node.resolver.connectTimeout.seconds == 2)
        #expect(node.resolver.loadBalancer.policy == .leastRequest)
        #expect(Set(chain.targets.keys) == ["v1.api.default.dc1", "v2.api.default.dc1"])

        let wildcard = try Support.compile(
            "api",
            try Support.graph(
                """
                Kind = "service-resolver"
                Name = "api"
                Failover = { "*" = { Datacenters = ["dc2", "dc3"] } }
                """))
        let resolver = try #require(wildcard.chain.nodes["resolver:api.default.dc1"])
        #expect(resolver.resolver.failover.targets == ["api.default.dc2", "api.default.dc3"])
        #expect(wildcard.chain.nodes.count == 1)
        #expect(wildcard.chain.targets["api.default.dc3"]?.datacenter == "dc3")
    }

    @Test("a default subset is used when nothing names a subset")
    func defaultSubset() throws {
        let graph = try Support.graph(
            """
            Kind = "service-resolver"
            Name = "api"
            DefaultSubset = "v1"
            Subsets = { v1 = { Filter = "Service.Meta.version == v1" }, v2 = { Filter = "Service.Meta.version == v2" } }
            """)
        let chain = try Support.compile("api", graph).chain
        #expect(chain.startNode == "resolver:v1.api.default.dc1")
        #expect(chain.targets["v1.api.default.dc1"]?.subsetFilter == "Service.Meta.version == v1")
        #expect(chain.targets["api.default.dc1"] == nil)
    }

    @Test(
        "overrides: a tcp protocol override leaves the router out; a timeout override applies and marks it customized")
    func overrides() throws {
        let graph = try Support.graph(
            Support.defaults("web", "http"),
            """
            Kind = "service-router"
            Name = "web"
            Routes = [{ Match { HTTP { PathPrefix = "/x" } } Destination = { Service = "web" } }]
            """)
        var request = Support.request("web")
        request.overrideProtocol = "tcp"
        request.overrideConnectTimeout = .milliseconds(1500)
        let chain = try DiscoveryChainCompiler.compile(request, in: graph).chain
        #expect(chain.protocol == "tcp")
        #expect(chain.startNode == "resolver:web.default.dc1")
        #expect(chain.customized)
        #expect(chain.targets["web.default.dc1"]?.connectTimeout.nanos == 500_000_000)
        #expect(chain.targets["web.default.dc1"]?.connectTimeout.seconds == 1)
    }
}

/// The flattened routes of a compiled chain, through the listener builder.
func flattenedRoutes(_ chain: CompiledChain) -> [Caravan_V1_UpstreamRoute] {
    var upstream = Caravan_V1_ConnectUpstream()
    upstream.destinationName = chain.chain.serviceName
    return UpstreamListenerBuilder.build(upstream: upstream, chain: chain, instances: { _ in [] }).routes
}
