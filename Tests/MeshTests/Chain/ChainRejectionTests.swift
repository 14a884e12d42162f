import CaravanProto
import Mesh
import Testing

@Suite("Discovery chain rejections")
struct ChainRejectionTests {
    typealias Support = ChainTestSupport

    static let router = """
        Kind = "service-router"
        Name = "web"
        Routes = [{ Match { HTTP { PathPrefix = "/admin" } } Destination = { Service = "admin" } }]
        """

    @Test("a router on a tcp service is rejected, naming the router and the protocol")
    func routerOnTCP() throws {
        let graph = try Support.graph(Self.router)
        #expect(
            Support.failure("web", graph)
                == "service-router \"web\" needs an HTTP-based protocol (http, http2 or grpc), but service \"web\" "
                + "speaks \"tcp\"; set Protocol in service-defaults \"web\"")
    }

    @Test("a splitter on a tcp service is rejected, naming the splitter and the protocol")
    func splitterOnTCP() throws {
        let graph = try Support.graph(
            """
            Kind = "service-splitter"
            Name = "api"
            Splits = [{ Weight = 50 }, { Weight = 50, Service = "api-next" }]
            """)
        #expect(
            Support.failure("api", graph)
                == "service-splitter \"api\" needs an HTTP-based protocol (http, http2 or grpc), but service \"api\" "
                + "speaks \"tcp\"; set Protocol in service-defaults \"api\"")
    }

    @Test("a router sending traffic to a tcp service is rejected as inconsistent, naming both services")
    func inconsistentProtocols() throws {
        let graph = try Support.graph(Support.defaults("web", "http"), Support.defaults("admin", "grpc"), Self.router)
        #expect(
            Support.failure("web", graph)
                == "discovery chain \"web\" uses inconsistent protocols: service \"web\" speaks \"http\" but "
                + "service \"admin\" speaks \"grpc\"")
    }

    @Test("a route naming a subset the destination's resolver does not define is rejected")
    func missingSubsetInRoute() throws {
        let graph = try Support.graph(
            Support.defaults("web", "http"), Support.defaults("api", "http"),
            """
            Kind = "service-router"
            Name = "web"
            Routes = [{ Match { HTTP { PathPrefix = "/" } } Destination = { Service = "api", ServiceSubset = "v3" } }]
            """,
            """
            Kind = "service-resolver"
            Name = "api"
            Subsets = { v1 = { Filter = "Service.Meta.version == v1" }, v2 = { Filter = "Service.Meta.version == v2" } }
            """)
        #expect(
            Support.failure("web", graph)
                == "service-router \"web\" Routes[0] names subset \"v3\" of service \"api\", but "
                + "service-resolver \"api\" defines only v1, v2")
    }

    @Test("a split naming a subset of a service without a resolver is rejected")
    func missingSubsetInSplit() throws {
        let graph = try Support.graph(
            Support.defaults("api", "http"),
            """
            Kind = "service-splitter"
            Name = "api"
            Splits = [{ Weight = 100, ServiceSubset = "v2" }]
            """)
        #expect(
            Support.failure("api", graph)
                == "service-splitter \"api\" Splits[0] names subset \"v2\" of service \"api\", but there is no "
                + "service-resolver \"api\"")
    }

    @Test("a redirect to a subset the other resolver lacks is rejected, naming the redirecting resolver")
    func missingSubsetInRedirect() throws {
        let graph = try Support.graph(
            """
            Kind = "service-resolver"
            Name = "db"
            Redirect = { Service = "db-new", ServiceSubset = "primary" }
            """,
            """
            Kind = "service-resolver"
            Name = "db-new"
            ConnectTimeout = "1s"
            """)
        #expect(
            Support.failure("db", graph)
                == "service-resolver \"db\" Redirect names subset \"primary\" of service \"db-new\", but "
                + "service-resolver \"db-new\" defines no subsets")
    }

    @Test("a default subset or failover subset that does not exist (from the API, not HCL) is rejected")
    func missingDefaultAndFailoverSubset() {
        var entry = Caravan_V1_ConfigEntry()
        entry.kind = "service-resolver"
        entry.name = "api"
        entry.serviceResolver.defaultSubset = "v9"
        #expect(
            Support.failure("api", MeshConfigGraph(entries: [entry]))
                == "service-resolver \"api\" DefaultSubset names subset \"v9\" of service \"api\", but "
                + "service-resolver \"api\" defines no subsets")

        var failover = Caravan_V1_ServiceResolverFailover()
        failover.service = "api-backup"
        failover.serviceSubset = "gone"
        entry.serviceResolver.defaultSubset = ""
        entry.serviceResolver.failover["*"] = failover
        #expect(
            Support.failure("api", MeshConfigGraph(entries: [entry]))
                == "service-resolver \"api\" Failover[\"*\"] names subset \"gone\" of service \"api-backup\", but "
                + "there is no service-resolver \"api-backup\"")
    }

    @Test("redirects that loop (a → b → a) are rejected with the path")
    func circularRedirect() throws {
        let graph = try Support.graph(
            """
            Kind = "service-resolver"
            Name = "a"
            Redirect = { Service = "b" }
            """,
            """
            Kind = "service-resolver"
            Name = "b"
            Redirect = { Service = "a" }
            """)
        #expect(
            Support.failure("a", graph)
                == "service-resolver redirects form a loop: service-resolver \"a\" -> service-resolver \"b\" -> "
                + "service-resolver \"a\" (targets a.default.dc1 -> b.default.dc1 -> a.default.dc1)")
    }

    @Test("splitters that split into each other (a → b → a) are rejected with the path")
    func circularSplit() throws {
        let graph = try Support.graph(
            Support.defaults("a", "http"), Support.defaults("b", "http"),
            """
            Kind = "service-splitter"
            Name = "a"
            Splits = [{ Weight = 50 }, { Weight = 50, Service = "b" }]
            """,
            """
            Kind = "service-splitter"
            Name = "b"
            Splits = [{ Weight = 50 }, { Weight = 50, Service = "a" }]
            """)
        #expect(
            Support.failure("a", graph)
                == "service-splitters split into each other in a loop: service-splitter \"a\" -> "
                + "service-splitter \"b\" -> service-splitter \"a\"")
    }

    @Test("a resolver combining a redirect with subsets (possible through the API) is rejected")
    func redirectWithSubsets() {
        var entry = Caravan_V1_ConfigEntry()
        entry.kind = "service-resolver"
        entry.name = "api"
        entry.serviceResolver.redirect.service = "api-v2"
        entry.serviceResolver.subsets["v1"] = Caravan_V1_ServiceResolverSubset()
        #expect(
            Support.failure("api", MeshConfigGraph(entries: [entry]))
                == "service-resolver \"api\" sets Redirect together with Subsets, DefaultSubset or Failover")
    }

    @Test("a subset filter that does not parse rejects the chain that uses the subset")
    func invalidFilterInChain() {
        var entry = Caravan_V1_ConfigEntry()
        entry.kind = "service-resolver"
        entry.name = "api"
        entry.serviceResolver.defaultSubset = "v1"
        var subset = Caravan_V1_ServiceResolverSubset()
        subset.filter = "Service.Meta.version = v1"
        entry.serviceResolver.subsets["v1"] = subset
        #expect(
            Support.failure("api", MeshConfigGraph(entries: [entry]))
                == "service-resolver \"api\" subset \"v1\" has an invalid Filter: column 22: expected \"==\" but "
                + "found \"=\" alone")
    }
}
