import CaravanProto
import Mesh
import Testing

@Suite("Config entry write validation")
struct MeshConfigValidatorTests {
    typealias Support = ChainTestSupport

    static let router = """
        Kind = "service-router"
        Name = "web"
        Routes = [{ Match { HTTP { PathPrefix = "/admin" } } Destination = { Service = "admin" } }]
        """

    static func problems(writing hcl: String, into graph: MeshConfigGraph) throws -> [String] {
        MeshConfigValidator.problems(
            writing: try Support.entry(hcl), into: graph, datacenter: Support.datacenter,
            trustDomain: Support.trustDomain)
    }

    @Test("a router written after both services are http is accepted")
    func acceptsGoodWrite() throws {
        let graph = try Support.graph(Support.defaults("web", "http"), Support.defaults("admin", "http"))
        #expect(try Self.problems(writing: Self.router, into: graph) == [])
    }

    @Test("a router on a service still speaking tcp is rejected")
    func rejectsRouterOnTCP() throws {
        let graph = try Support.graph(Support.defaults("admin", "http"))
        let problems = try Self.problems(writing: Self.router, into: graph)
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("service-router \"web\" needs an HTTP-based protocol") == true)
    }

    @Test("deleting the service-defaults that makes a router's service http is rejected")
    func rejectsBreakingDelete() throws {
        let graph = try Support.graph(Support.defaults("web", "http"), Support.defaults("admin", "http"), Self.router)
        let problems = MeshConfigValidator.problems(
            deleting: "service-defaults", name: "web", from: graph, datacenter: Support.datacenter,
            trustDomain: Support.trustDomain)
        #expect(
            problems == [
                "service-router \"web\" needs an HTTP-based protocol (http, http2 or grpc), but service \"web\" "
                    + "speaks \"tcp\"; set Protocol in service-defaults \"web\""
            ])
    }

    @Test("changing a destination's protocol breaks the chain of the router that reaches it")
    func rejectsBreakingWriteElsewhere() throws {
        let graph = try Support.graph(Support.defaults("web", "http"), Support.defaults("admin", "http"), Self.router)
        let problems = try Self.problems(writing: Support.defaults("admin", "tcp"), into: graph)
        #expect(
            problems == [
                "discovery chain \"web\" uses inconsistent protocols: service \"web\" speaks \"http\" but "
                    + "service \"admin\" speaks \"tcp\""
            ])
    }

    @Test("deleting a resolver whose subset a route names is rejected")
    func rejectsDeletingUsedSubset() throws {
        let graph = try Support.graph(
            Support.defaults("web", "http"),
            """
            Kind = "service-router"
            Name = "web"
            Routes = [{ Match { HTTP { PathPrefix = "/beta" } } Destination = { ServiceSubset = "beta" } }]
            """,
            """
            Kind = "service-resolver"
            Name = "web"
            Subsets = { beta = { Filter = "beta in Service.Tags" } }
            """)
        let problems = MeshConfigValidator.problems(
            deleting: "service-resolver", name: "web", from: graph, datacenter: Support.datacenter,
            trustDomain: Support.trustDomain)
        #expect(
            problems == [
                "service-router \"web\" Routes[0] names subset \"beta\" of service \"web\", but there is no "
                    + "service-resolver \"web\""
            ])
    }

    @Test("a resolver with a subset filter that does not parse is rejected even when no chain uses the subset")
    func rejectsBadFilter() throws {
        let problems = try Self.problems(
            writing: """
                Kind = "service-resolver"
                Name = "api"
                Subsets = { v1 = { Filter = "Service.Meta.version == v1 and" } }
                """, into: MeshConfigGraph(entries: []))
        #expect(
            problems == [
                "service-resolver \"api\" subset \"v1\" has an invalid Filter: column 31: expected a selector "
                    + "(Service.ID, Service.Service, Service.Tags, Service.Meta, Service.Meta.<key>, Node.Node, "
                    + "Node.Datacenter) but found the end of the filter"
            ])
    }

    @Test("a write that fixes one problem of an already broken graph is accepted")
    func allowsIncrementalFixes() throws {
        // web has a router to admin but neither is http yet: the graph is broken before the write.
        let graph = try Support.graph(Self.router)
        #expect(try Self.problems(writing: Support.defaults("admin", "http"), into: graph) == [])
    }
}
